using System.Text.Json.Nodes;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Testing;

namespace Llmctl.Providers.Command.Tests;

/// <summary>A temp folder per test, and the provider with a short dial backoff.</summary>
public abstract class CommandTestBase : IDisposable
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    protected string Dir { get; } = Directory.CreateTempSubdirectory("llmctl-cmd-").FullName;
    protected CommandProvider Provider { get; } = new(new CommandProviderOptions { DialBackoff = TimeSpan.FromMilliseconds(20) });
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected string PathOf(string name) => Path.Combine(Dir, name);

    protected string Read(string name) => File.ReadAllText(PathOf(name));

    /// <summary>Builds a typed resource inside a throwaway stack program, to get its JSON inputs and URN.</summary>
    protected static T Build<T>(Func<T> make) where T : CustomResource
    {
        T? resource = null;
        StackContext.Run("proj", "dev", _ => resource = make());
        return resource!;
    }

    protected Task<ProviderResult> CreateAsync(CustomResource r) => Provider.CreateAsync(r.Urn, r.Type, r.Inputs, Timeout, Ct);

    protected static string Text(JsonObject outputs, string key) => PropertyValues.Unwrap(outputs[key])!.GetValue<string>();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>Drives programs through the real planner and updater with the command provider and an in-memory backend.</summary>
internal sealed class CommandEngine(CommandProvider provider)
{
    public ProviderRegistry Providers { get; } = new ProviderRegistry().Register(CommandTypes.Package, provider);
    public InMemoryBackend Backend { get; } = new();
    public StackCheckpoint Checkpoint { get; private set; } = StackCheckpoint.Empty("proj", "dev");
    public List<string> Progress { get; } = [];

    public async Task<Plan> PreviewAsync(Action<StackContext> program) =>
        await new Planner(Providers).PlanAsync(StackContext.Run("proj", "dev", program), Checkpoint);

    public async Task<(Plan Plan, UpdateResult Result)> UpAsync(Action<StackContext> program)
    {
        var desired = StackContext.Run("proj", "dev", program, isPreview: false);
        var plan = await new Planner(Providers).PlanAsync(desired, Checkpoint);
        var result = await new Updater(Providers, Backend, null).RunAsync(plan, desired, Checkpoint, null, new Observer(Progress));
        Checkpoint = result.Checkpoint;
        return (plan, result);
    }

    public async Task<UpdateResult> DestroyAsync()
    {
        var result = await new Updater(Providers, Backend, null).RunAsync(Planner.PlanDestroy(Checkpoint), null, Checkpoint);
        Checkpoint = result.Checkpoint;
        return result;
    }

    public ResourceState Single(string type) => Checkpoint.Resources.Single(r => r.Type == type);

    private sealed class Observer(List<string> progress) : IStepObserver
    {
        public void StepStarted(Step step) { }
        public void StepCompleted(Step step, StepOp performed, TimeSpan elapsed) { }
        public void StepFailed(Step step, string error) { }
        public void StepProgress(Step step, string message)
        {
            lock (progress) progress.Add(message);
        }
    }
}
