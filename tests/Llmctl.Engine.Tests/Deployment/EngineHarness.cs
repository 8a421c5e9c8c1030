using System.Text.Json.Nodes;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Engine.Testing;
using Llmctl.Testing;

namespace Llmctl.Engine.Tests.Deployment;

/// <summary>Runs programs through plan and apply against the mock provider and an in-memory backend.</summary>
internal sealed class EngineHarness
{
    public EngineHarness(IMocks? mocks = null)
    {
        Provider = new MockProvider(mocks ?? new EchoMocks());
        Providers = new ProviderRegistry().RegisterFallback(Provider);
    }

    public MockProvider Provider { get; }
    public ProviderRegistry Providers { get; }
    public InMemoryBackend Backend { get; } = new();
    public StackCheckpoint Checkpoint { get; private set; } = StackCheckpoint.Empty("proj", "dev");

    public async Task<Plan> PreviewAsync(Action<StackContext> program) =>
        await new Planner(Providers).PlanAsync(StackContext.Run("proj", "dev", program), Checkpoint);

    public async Task<(Plan Plan, UpdateResult Result)> UpAsync(Action<StackContext> program, UpdateOptions? options = null, CancellationToken ct = default)
    {
        var desired = StackContext.Run("proj", "dev", program, isPreview: false);
        var plan = await new Planner(Providers).PlanAsync(desired, Checkpoint, cancellationToken: ct);
        var result = await new Updater(Providers, Backend, null).RunAsync(plan, desired, Checkpoint, options, null, ct);
        Checkpoint = result.Checkpoint;
        return (plan, result);
    }

    public async Task<UpdateResult> DestroyAsync()
    {
        var plan = Planner.PlanDestroy(Checkpoint);
        var result = await new Updater(Providers, Backend, null).RunAsync(plan, null, Checkpoint);
        Checkpoint = result.Checkpoint;
        return result;
    }

    public static CustomResource Thing(string name, JsonObject? inputs = null, CustomResourceOptions? options = null) =>
        new("test:index:Thing", name, inputs ?? new JsonObject { ["size"] = 1 }, options);
}
