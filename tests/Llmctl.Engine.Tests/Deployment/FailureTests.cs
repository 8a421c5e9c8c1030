using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Engine.Testing;
using static Llmctl.Engine.Tests.Deployment.EngineHarness;

namespace Llmctl.Engine.Tests.Deployment;

/// <summary>A failed step is always a recorded failure, and the checkpoint always knows what the server accepted.</summary>
public class FailureTests
{
    /// <summary>Mocks that echo, except for the resources <paramref name="fail"/> answers an exception for.</summary>
    private sealed class FailingMocks(Func<MockResourceArgs, Exception?> fail) : IMocks
    {
        public Task<(string? Id, JsonObject State)> NewResourceAsync(MockResourceArgs args) =>
            fail(args) is { } e ? Task.FromException<(string?, JsonObject)>(e) : new EchoMocks().NewResourceAsync(args);
    }

    private static void Chain(StackContext ctx)
    {
        var a = Thing("a");
        var b = Thing("b", options: new CustomResourceOptions { DependsOn = [a] });
        Thing("c", options: new CustomResourceOptions { DependsOn = [b] });
    }

    public static TheoryData<string> ExceptionTypes => ["InvalidOperationException", "JsonException", "NullReferenceException", "KeyNotFoundException", "FormatException"];

    private static Exception Make(string type) => type switch
    {
        "InvalidOperationException" => new InvalidOperationException("no apply verb"),
        "JsonException" => new JsonException("'<' is an invalid start of a value"),
        "NullReferenceException" => new NullReferenceException("boom"),
        "KeyNotFoundException" => new KeyNotFoundException("no such key"),
        _ => new FormatException("bad format"),
    };

    [Theory]
    [MemberData(nameof(ExceptionTypes))]
    public async Task Any_exception_a_provider_throws_is_a_failure_and_its_dependents_are_reported_skipped(string type)
    {
        var h = new EngineHarness(new FailingMocks(a => a.Name == "a" ? Make(type) : null));

        var (_, result) = await h.UpAsync(Chain);

        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("a", failure.Urn.Name);
        Assert.Equal(FailureKind.Provider, failure.Kind);
        Assert.Contains(type, failure.Message);
        Assert.Equal(["b", "c"], result.Skipped.Select(s => s.Urn.Name).Order());
        Assert.Contains("::a failed", result.Skipped.Single(s => s.Urn.Name == "b").Because);
        Assert.Contains("::b was skipped", result.Skipped.Single(s => s.Urn.Name == "c").Because);
        Assert.DoesNotContain(h.Checkpoint.Resources, r => r.Custom);
    }

    [Fact]
    public async Task An_apply_the_server_accepted_whose_wait_failed_is_recorded_not_ready_and_updated_again()
    {
        var failWait = true;
        var h = new EngineHarness(new FailingMocks(a => a.Name == "lane" && failWait
            ? new PartialApplyException(new ProviderResult("llm/lane", new JsonObject { ["size"] = 1, ["status"] = "0/1" }),
                new ProviderException("Deployment 'llm/lane': the API server answered 503 ServiceUnavailable"))
            : null));

        var (_, result) = await h.UpAsync(_ => Thing("lane"));

        Assert.False(result.Succeeded);
        Assert.Contains("503", result.Failures.Single().Message);
        Assert.Contains("recorded as not ready", result.Failures.Single().Message);
        var recorded = Assert.Single(h.Checkpoint.Resources, r => r.Custom);
        Assert.Equal("llm/lane", recorded.Id);
        Assert.Equal("0/1", recorded.Outputs["status"]!.GetValue<string>());
        Assert.Contains("503", Assert.Single(recorded.InitErrors));
        Assert.Empty(h.Checkpoint.PendingOperations);

        // Nothing changed in the program, yet the object is not known good: the next plan updates it again.
        var again = await h.PreviewAsync(_ => Thing("lane"));
        Assert.Equal(StepOp.Update, again.Steps.Single(s => s.State.Custom).Op);
        Assert.True(again.HasChanges);

        // And removing it from the program deletes the object, instead of forgetting it.
        var removed = await h.PreviewAsync(_ => { });
        Assert.Equal(StepOp.Delete, removed.Steps.Single(s => s.State.Custom).Op);

        failWait = false;
        var (_, fixedRun) = await h.UpAsync(_ => Thing("lane"));
        Assert.True(fixedRun.Succeeded);
        Assert.Empty(h.Checkpoint.Resources.Single(r => r.Custom).InitErrors);
        Assert.False((await h.PreviewAsync(_ => Thing("lane"))).HasChanges);
    }

    [Fact]
    public async Task Init_errors_survive_the_checkpoint_file_as_Pulumis_initErrors()
    {
        var state = new ResourceState
        {
            Urn = Urn.Create("dev", "proj", null, "test:index:Thing", "lane"),
            Type = "test:index:Thing",
            Custom = true,
            Id = "lane",
            InitErrors = ["not ready"],
        };
        var checkpoint = StackCheckpoint.Empty("proj", "dev") with { Resources = [state] };
        var bytes = CheckpointSerializer.Serialize(checkpoint, null);
        Assert.Contains("\"initErrors\"", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(["not ready"], CheckpointSerializer.Deserialize(bytes, null, "x.json", "proj").Resources.Single().InitErrors);
    }

    /// <summary>A checkpoint as a killed run leaves it: the object was being created when the process died.</summary>
    private static async Task<EngineHarness> KilledWhileCreatingAsync(bool objectExists)
    {
        var h = new EngineHarness();
        await h.UpAsync(_ => Thing("lane"));
        var lane = h.Checkpoint.Resources.Single(r => r.Custom);
        if (!objectExists) h.Provider.Forget(lane.Urn);
        // What a kill during the create leaves: the pending operation, no recorded resource.
        var pendingState = lane with { Id = null, Outputs = new JsonObject() };
        h.SetCheckpoint(h.Checkpoint with
        {
            Resources = h.Checkpoint.Resources.Where(r => !r.Custom).ToList(),
            PendingOperations = [new PendingOperation(pendingState, PendingOperationType.Creating)],
        });
        return h;
    }

    [Fact]
    public async Task A_pending_create_for_a_resource_removed_from_the_program_is_looked_up_and_deleted_and_shown_in_the_plan()
    {
        var h = await KilledWhileCreatingAsync(objectExists: true);

        var plan = await h.PreviewAsync(_ => { });
        var step = Assert.Single(plan.Steps, s => s.State.Custom);
        Assert.Equal(StepOp.Delete, step.Op);
        Assert.True(step.Unrecorded);

        var (_, result) = await h.UpAsync(_ => { });
        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Contains(h.Provider.Calls, c => c.StartsWith("read ") && c.EndsWith("::lane"));
        Assert.Contains(h.Provider.Calls, c => c.StartsWith("delete ") && c.EndsWith("::lane"));
        Assert.Empty(h.Provider.Live);
        Assert.Empty(h.Checkpoint.PendingOperations);
        var interrupted = Assert.Single(result.Interrupted);
        Assert.Contains("looked up on the server and deleted", interrupted.Resolution);
    }

    [Fact]
    public async Task A_pending_create_whose_object_never_landed_is_resolved_without_a_delete_and_says_so()
    {
        var h = await KilledWhileCreatingAsync(objectExists: false);

        var (_, result) = await h.UpAsync(_ => { });

        Assert.True(result.Succeeded);
        Assert.DoesNotContain(h.Provider.Calls, c => c.StartsWith("delete "));
        Assert.Empty(h.Checkpoint.PendingOperations);
        Assert.Contains("not found on the server", Assert.Single(result.Interrupted).Resolution);
    }

    [Fact]
    public async Task A_pending_operation_stays_recorded_while_its_step_fails_again_and_the_warning_says_so()
    {
        var h = await KilledWhileCreatingAsync(objectExists: true);
        h.SetMocks(new FailingMocks(a => a.Name == "lane" ? new ProviderException("refused") : null));

        var (_, result) = await h.UpAsync(_ => Thing("lane"));

        Assert.False(result.Succeeded);
        Assert.Single(h.Checkpoint.PendingOperations);
        Assert.Contains("still recorded as pending", Assert.Single(result.Interrupted).Resolution);
    }

    [Fact]
    public async Task A_pending_update_on_an_unchanged_resource_runs_the_step_again()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ => Thing("lane"));
        var lane = h.Checkpoint.Resources.Single(r => r.Custom);
        h.SetCheckpoint(h.Checkpoint with { PendingOperations = [new PendingOperation(lane, PendingOperationType.Updating)] });

        var (plan, result) = await h.UpAsync(_ => Thing("lane"));

        Assert.Equal(StepOp.Update, plan.Steps.Single(s => s.State.Custom).Op);
        Assert.True(result.Succeeded);
        Assert.Empty(h.Checkpoint.PendingOperations);
        Assert.Contains("run again and finished", Assert.Single(result.Interrupted).Resolution);
    }

    private sealed class HangingProvider : IProvider
    {
        public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<CheckFailure>>([]);
        public Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken cancellationToken) => Task.FromResult<DiffResult?>(null);
        public async Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
        public Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken cancellationToken) => Task.FromResult<ProviderResult?>(null);
    }

    [Fact]
    public async Task A_provider_that_ignores_its_timeout_is_cut_off_and_the_message_says_which_timeout_in_words()
    {
        var providers = new ProviderRegistry().RegisterFallback(new HangingProvider());
        var desired = StackContext.Run("proj", "dev", _ => Thing("slow", options: new CustomResourceOptions { CustomTimeouts = new CustomTimeouts { Create = TimeSpan.FromMilliseconds(100) } }), isPreview: false);
        var start = StackCheckpoint.Empty("proj", "dev");
        var plan = await new Planner(providers).PlanAsync(desired, start);

        var result = await new Updater(providers, new Llmctl.Testing.InMemoryBackend(), null).RunAsync(plan, desired, start);

        var failure = Assert.Single(result.Failures);
        Assert.Equal(FailureKind.Timeout, failure.Kind);
        Assert.Contains("timed out after 0.1s (the resource's create timeout", failure.Message);
        Assert.DoesNotContain("00:", failure.Message);
        // The object may exist: its create stays pending for the next run to look at.
        Assert.Single(result.Checkpoint.PendingOperations);
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_stops_the_run_with_that_error()
    {
        var h = new EngineHarness();
        h.Backend.FailSaveWhen = c => c.Resources.Any(r => r.Urn.Name == "a");

        var ex = await Assert.ThrowsAsync<StateWriteException>(() => h.UpAsync(Chain));

        Assert.Contains("disk full", ex.Message);
        // Nothing after the failed write ran.
        Assert.DoesNotContain(h.Provider.Calls, c => c.EndsWith("::c"));
    }

    [Fact]
    public async Task Destroying_everything_leaves_an_empty_checkpoint_whose_last_save_is_also_empty()
    {
        var h = new EngineHarness();
        await h.UpAsync(Chain);
        await h.DestroyAsync();
        var saves = h.Backend.Saves.ToList();
        Assert.Empty(saves[^1].Resources);
        Assert.Empty(saves[^2].Resources);
    }
}
