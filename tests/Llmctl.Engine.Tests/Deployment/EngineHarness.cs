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
        Provider = new MockProvider(new SwitchableMocks(this));
        Providers = new ProviderRegistry().RegisterFallback(Provider);
        _mocks = mocks ?? new EchoMocks();
    }

    private IMocks _mocks;

    /// <summary>Changes what the provider does from now on (what it created stays live).</summary>
    public void SetMocks(IMocks mocks) => _mocks = mocks;

    /// <summary>Replaces the checkpoint the next run starts from (what a killed run left, say).</summary>
    public void SetCheckpoint(StackCheckpoint checkpoint) => Checkpoint = checkpoint;

    private sealed class SwitchableMocks(EngineHarness owner) : IMocks
    {
        public Task<(string? Id, JsonObject State)> NewResourceAsync(MockResourceArgs args) => owner._mocks.NewResourceAsync(args);
        public Task DeleteResourceAsync(MockResourceArgs args) => owner._mocks.DeleteResourceAsync(args);
    }

    public MockProvider Provider { get; }
    public ProviderRegistry Providers { get; }
    public InMemoryBackend Backend { get; } = new();
    public StackCheckpoint Checkpoint { get; private set; } = StackCheckpoint.Empty("proj", "dev");

    public async Task<Plan> PreviewAsync(Action<StackContext> program, PlanOptions? planOptions = null) =>
        await new Planner(Providers).PlanAsync(StackContext.Run("proj", "dev", program), Checkpoint, planOptions);

    public async Task<(Plan Plan, UpdateResult Result)> UpAsync(Action<StackContext> program, UpdateOptions? options = null, CancellationToken ct = default,
        PlanOptions? planOptions = null)
    {
        var desired = StackContext.Run("proj", "dev", program, isPreview: false);
        var plan = await new Planner(Providers).PlanAsync(desired, Checkpoint, planOptions, ct);
        var result = await new Updater(Providers, Backend, null).RunAsync(plan, desired, Checkpoint, options, null, ct);
        Checkpoint = result.Checkpoint;
        return (plan, result);
    }

    public async Task<UpdateResult> DestroyAsync(TargetSet? targets = null, bool targetDependents = false)
    {
        var plan = Planner.PlanDestroy(Checkpoint, targets, targetDependents);
        var result = await new Updater(Providers, Backend, null).RunAsync(plan, null, Checkpoint);
        Checkpoint = result.Checkpoint;
        return result;
    }

    public static CustomResource Thing(string name, JsonObject? inputs = null, CustomResourceOptions? options = null) =>
        new("test:index:Thing", name, inputs ?? new JsonObject { ["size"] = 1 }, options);
}
