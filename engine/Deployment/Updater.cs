using System.Diagnostics;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Deployment;

/// <summary>Receives progress while steps run (the CLI draws it; tests record it).</summary>
public interface IStepObserver
{
    void StepStarted(Step step);
    void StepCompleted(Step step, StepOp performed, TimeSpan elapsed);
    void StepFailed(Step step, string error);
    /// <summary>A running step reports what it is waiting for (readiness, a Job, a rollout).</summary>
    void StepProgress(Step step, string message) { }
}

public sealed record UpdateOptions
{
    /// <summary>How many steps may run at once (<c>--parallel</c>; Pulumi defaults to 16, llmctl to 32 since steps mostly wait on the API server).</summary>
    public int Parallelism { get; init; } = 32;
    /// <summary>Per-resource timeout unless the resource sets <c>CustomTimeouts</c>.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Keep running independent steps after one fails (<c>--continue-on-error</c>).</summary>
    public bool ContinueOnError { get; init; }
}

public enum FailureKind
{
    Provider,
    Timeout,
    Cancelled,
}

public sealed record StepFailure(Urn Urn, string Message, FailureKind Kind);

/// <summary>A step that did not run, and why (<c>… failed</c>, <c>the run stopped after a failure</c>).</summary>
public sealed record SkippedStep(Urn Urn, StepOp Op, string Because);

/// <summary>A pending operation a previous run left, and what this run did about it (a sentence, for a warning).</summary>
public sealed record InterruptedOperation(PendingOperation Operation, string Resolution);

/// <summary>What a run did.</summary>
public sealed record UpdateResult
{
    public required IReadOnlyDictionary<StepOp, int> Performed { get; init; }
    public required IReadOnlyList<StepFailure> Failures { get; init; }
    /// <summary>Changes that did not run because something they depend on failed (or the run stopped).</summary>
    public IReadOnlyList<SkippedStep> Skipped { get; init; } = [];
    public required TimeSpan Duration { get; init; }
    public required StackCheckpoint Checkpoint { get; init; }
    /// <summary>Pending operations a previous run left, each with what this run did about it.</summary>
    public IReadOnlyList<InterruptedOperation> Interrupted { get; init; } = [];
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Runs a plan through the providers: creates, updates and replaces in dependency order with bounded parallelism,
/// then deletes in reverse dependency order. Each step writes its pending operation before it starts and clears it
/// after, so the checkpoint stays consistent whatever happens; a step whose dependency failed is not run.
/// </summary>
public sealed class Updater(ProviderRegistry providers, IStateBackend backend, Config.ISecretCrypter? crypter)
{
    public async Task<UpdateResult> RunAsync(Plan plan, StackContext? desired, StackCheckpoint start, UpdateOptions? options = null,
        IStepObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new UpdateOptions();
        var clock = Stopwatch.StartNew();
        var journal = new Journal(backend, crypter, start, plan.Steps.Where(s => s.New is not null).Select(s => s.Urn));
        var run = new Run(this, plan, desired, journal, options, observer, cancellationToken);
        await run.ExecuteAsync().ConfigureAwait(false);
        // A checkpoint that could not be written stops the run: nothing after it would be recorded.
        if (run.StateFailure is { } stateFailure) throw stateFailure;
        await journal.PersistAsync(CancellationToken.None).ConfigureAwait(false);
        if (start.Resources.Count > 0 && journal.Snapshot() is { Resources.Count: 0, PendingOperations.Count: 0 } emptied)
        {
            // Everything was deleted on purpose: write the empty state once more so the backup agrees, and a later
            // load does not mistake the empty checkpoint beside a full backup for a lost one.
            await backend.SaveAsync(emptied, crypter, CancellationToken.None).ConfigureAwait(false);
        }
        var interrupted = journal.Inherited.Select(op => new InterruptedOperation(op, run.Resolution(op))).ToList();
        return new UpdateResult
        {
            Performed = run.Performed.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count()),
            Failures = run.Failures.ToList(),
            Skipped = run.Skipped.ToList(),
            Duration = clock.Elapsed,
            Checkpoint = journal.Snapshot(),
            Interrupted = interrupted,
        };
    }

    private sealed class Run(Updater owner, Plan plan, StackContext? desired, Journal journal, UpdateOptions options,
        IStepObserver? observer, CancellationToken cancellationToken) : IOutputSource
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<bool>> _done = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Parallelism));
        private readonly Planner _planner = new(owner._providers);
        private readonly ProviderStates _providerStates = ProviderStates.Of(journal.Snapshot());
        /// <summary>Provider resources replaced in this run: every resource they serve is replaced with them.</summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _replacedProviders = new(StringComparer.Ordinal);
        public readonly List<StepOp> Performed = [];
        public readonly List<StepFailure> Failures = [];
        public readonly List<SkippedStep> Skipped = [];
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _failed = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _resolutions = new(StringComparer.Ordinal);
        private volatile bool _halt;
        private Exception? _stateFailure;

        /// <summary>The checkpoint write that failed, if one did (the run stopped there).</summary>
        public Exception? StateFailure => Volatile.Read(ref _stateFailure);

        public string Resolution(PendingOperation op)
        {
            if (journal.IsStillPending(op.Resource.Urn))
            {
                return $"this run did not settle it either (its step failed or did not run), so it is still recorded as pending: the object may or may not exist; the next `llmctl up` looks again";
            }
            return _resolutions.GetValueOrDefault(op.Resource.Urn.Value) ?? "its step was run again and finished";
        }

        public async Task ExecuteAsync()
        {
            var forward = plan.Steps.Where(s => s.Op != StepOp.Delete).ToList();
            var deletes = plan.Steps.Where(s => s.Op == StepOp.Delete).ToList();
            // Every forward step gets its completion first, so a step can wait for a dependency registered after it
            // (a Namespace declared late, a CRD added by a composition pass). The plan is checked acyclic up front.
            var completions = forward.ToDictionary(s => s.Urn.Value, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
            foreach (var (urn, completion) in completions) _done[urn] = completion.Task;
            var tasks = new List<Task<bool>>();
            foreach (var step in forward)
            {
                var deps = ForwardDependencies(step).Where(u => u != step.Urn.Value).Distinct(StringComparer.Ordinal)
                    .Where(_done.ContainsKey).Select(u => (u, _done[u])).ToList();
                var completion = completions[step.Urn.Value];
                tasks.Add(RunAfterAsync(step, deps).ContinueWith(t =>
                {
                    // RunStepAsync records every failure itself; a fault here is still a failure, never a skip.
                    if (t.IsFaulted) Fail(step, t.Exception!.GetBaseException());
                    completion.SetResult(t.IsCompletedSuccessfully && t.Result);
                    return completion.Task.Result;
                }, TaskScheduler.Default));
            }
            await Task.WhenAll(tasks).ConfigureAwait(false);
            if (!_halt) await ResolveComponentOutputsAsync().ConfigureAwait(false);

            // Deletes wait for the deletes of everything that depends on them or is parented by them.
            var deleteTasks = new Dictionary<string, Task<bool>>(StringComparer.Ordinal);
            var dependents = deletes.ToDictionary(d => d.Urn.Value, _ => new List<string>(), StringComparer.Ordinal);
            foreach (var d in deletes)
            {
                foreach (var on in d.Old!.OrderingEdges())
                {
                    if (dependents.TryGetValue(on.Value, out var list)) list.Add(d.Urn.Value);
                }
            }
            foreach (var d in deletes)
            {
                // Plan order is reverse dependency order, so every dependent's task already exists.
                var waits = dependents[d.Urn.Value].Where(deleteTasks.ContainsKey).Select(u => (u, deleteTasks[u])).ToList();
                deleteTasks[d.Urn.Value] = RunAfterAsync(d, waits);
            }
            await Task.WhenAll(deleteTasks.Values).ConfigureAwait(false);
        }

        private static IEnumerable<string> ForwardDependencies(Step step) => step.New!.OrderingEdges().Select(u => u.Value);

        private async Task<bool> RunAfterAsync(Step step, IReadOnlyList<(string Urn, Task<bool> Done)> dependencies)
        {
            await Task.WhenAll(dependencies.Select(d => d.Done)).ConfigureAwait(false);
            if (dependencies.FirstOrDefault(d => !d.Done.Result) is { Urn: { } blocker })
            {
                Skip(step, _failed.ContainsKey(blocker) ? $"{blocker} failed" : $"{blocker} was skipped");
                return false;
            }
            if (_halt || cancellationToken.IsCancellationRequested)
            {
                Skip(step, cancellationToken.IsCancellationRequested ? "the run was cancelled" : "the run stopped after a failure");
                return false;
            }
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (_halt || cancellationToken.IsCancellationRequested)
                {
                    Skip(step, cancellationToken.IsCancellationRequested ? "the run was cancelled" : "the run stopped after a failure");
                    return false;
                }
                return await RunStepAsync(step).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }

        private void Skip(Step step, string because)
        {
            if (!step.Op.IsChange() || !step.State.Custom || ProviderResource.IsDefaultProvider(step.Urn)) return;
            lock (Skipped) Skipped.Add(new SkippedStep(step.Urn, step.Op, because));
        }

        private async Task<bool> RunStepAsync(Step step)
        {
            try
            {
                return await RunStepCoreAsync(step).ConfigureAwait(false);
            }
            catch (StateWriteException ex)
            {
                Interlocked.CompareExchange(ref _stateFailure, ex, null);
                _halt = true;
                return false;
            }
        }

        private async Task<bool> RunStepCoreAsync(Step step)
        {
            using var progress = OperationProgress.Route(message => observer?.StepProgress(step, message));
            var clock = Stopwatch.StartNew();
            var started = false;
            try
            {
                if (!step.State.Custom)
                {
                    RecordComponent(step);
                    Done(step, step.Op, clock.Elapsed, notify: step.Op != StepOp.Same);
                    return true;
                }
                var (op, newInputs) = await ResolveAsync(step).ConfigureAwait(false);
                if (op == StepOp.Replace && ProviderResource.IsProviderType(step.Type)) _replacedProviders[step.Urn.Value] = true;
                // A package's default provider is configured from stack config; like Pulumi, llmctl does not show its steps.
                if (op != StepOp.Same && !ProviderResource.IsDefaultProvider(step.Urn))
                {
                    observer?.StepStarted(step);
                    started = true;
                }
                switch (op)
                {
                    case StepOp.Same:
                        journal.Put(step.New! with { Inputs = step.Old!.Inputs, Id = step.Old.Id, Outputs = step.Old.Outputs, Provider = CurrentReference(step.New) ?? step.New.Provider });
                        break;
                    case StepOp.Create:
                        await CreateAsync(step.New! with { Inputs = newInputs }, null).ConfigureAwait(false);
                        break;
                    case StepOp.Update:
                        await UpdateAsync(step, newInputs).ConfigureAwait(false);
                        break;
                    case StepOp.Replace:
                        await ReplaceAsync(step, newInputs).ConfigureAwait(false);
                        break;
                    case StepOp.Delete when step.Unrecorded:
                        await DeleteUnrecordedAsync(step.Old!).ConfigureAwait(false);
                        break;
                    case StepOp.Delete:
                        await DeleteAsync(step.Old!).ConfigureAwait(false);
                        break;
                    default:
                        throw new InvalidOperationException($"step op {op} cannot be applied");
                }
                journal.Settled(step.Urn);
                if (step.Old is { } old && old.Urn != step.Urn) journal.Settled(old.Urn);
                await journal.PersistAsync(cancellationToken).ConfigureAwait(false);
                Done(step, op, clock.Elapsed, notify: started);
                return true;
            }
            catch (Exception ex) when (ex is not StateWriteException)
            {
                Fail(step, ex);
                await journal.PersistAsync(CancellationToken.None).ConfigureAwait(false);
                return false;
            }
        }

        /// <summary>
        /// Records a failed step. Whatever the exception's type, it is a failure of this resource: its dependents are
        /// skipped because of it and the run exits non-zero.
        /// </summary>
        private void Fail(Step step, Exception ex)
        {
            var cause = ex is PartialApplyException { InnerException: { } inner } ? inner : ex;
            var kind = cause switch
            {
                TimeoutException => FailureKind.Timeout,
                OperationCanceledException when cancellationToken.IsCancellationRequested => FailureKind.Cancelled,
                OperationCanceledException => FailureKind.Timeout,
                _ => FailureKind.Provider,
            };
            var message = cause switch
            {
                OperationCanceledException when kind == FailureKind.Cancelled => "cancelled",
                OperationCanceledException => $"timed out after {FormatDuration(Timeout(step.State, step.Op))} (the resource's {OpName(step.Op)} timeout; raise it with customTimeouts)",
                ProviderException or TimeoutException => cause.Message,
                _ => $"unexpected {cause.GetType().Name}: {cause.Message}",
            };
            if (ex is PartialApplyException)
            {
                message += " (the server accepted the object; it is recorded as not ready and is applied again by the next `llmctl up`)";
            }
            lock (Failures) Failures.Add(new StepFailure(step.Urn, message, kind));
            _failed[step.Urn.Value] = true;
            if (!options.ContinueOnError || kind == FailureKind.Cancelled) _halt = true;
            observer?.StepFailed(step, message);
        }

        private static string OpName(StepOp op) => op switch { StepOp.Delete => "delete", StepOp.Update => "update", _ => "create" };

        private static string FormatDuration(TimeSpan t) =>
            t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{t.TotalMinutes:0}m" : $"{t.TotalSeconds:0.###}s";

        private void Done(Step step, StepOp op, TimeSpan elapsed, bool notify)
        {
            if (ProviderResource.IsDefaultProvider(step.Urn)) return;
            lock (Performed) Performed.Add(op);
            if (notify) observer?.StepCompleted(step, op, elapsed);
        }

        /// <summary>Resolves deferred inputs now that dependencies ran; a planned change may turn out to be none.</summary>
        private async Task<(StepOp Op, JsonObject Inputs)> ResolveAsync(Step step)
        {
            if (step.Op == StepOp.Delete) return (StepOp.Delete, step.Old!.Inputs);
            var inputs = step.New!.Inputs;
            if (step.HasUnknowns && desired?.Find(step.Urn) is CustomResource resource)
            {
                inputs = (JsonObject)desired.ResolveOutputs(resource.Inputs, this)!;
                if (PropertyValues.ContainsUnknowns(inputs))
                {
                    throw new ProviderException("an input is still unknown after its dependencies were applied (a dependency reported no such output)");
                }
            }
            if (step.Old is not null && step.New.ProviderRef is { } provider && _replacedProviders.ContainsKey(provider.Urn.Value) && step.Op is StepOp.Same or StepOp.Update)
            {
                // Its provider now points at another cluster: the object is made there and removed from the old one.
                return (StepOp.Replace, step.Op == StepOp.Same ? step.Old.Inputs : inputs);
            }
            if (step.Old is null || step.Op == StepOp.Same) return (step.Op, inputs);
            if (step.Old.IgnoreChanges.Count > 0 || step.New.IgnoreChanges.Count > 0)
            {
                inputs = PropertyPaths.ApplyIgnoreChanges(step.Old.Inputs, inputs, step.New.IgnoreChanges);
            }
            if (!step.HasUnknowns) return (step.Op, inputs);
            var diff = await _planner.DiffAsync(step.Old, step.New with { Inputs = inputs }, CurrentProvider(step.New).Provider, cancellationToken).ConfigureAwait(false);
            var op = diff.ReplaceKeys.Count > 0 ? StepOp.Replace : diff.ChangedKeys.Count > 0 || step.Old.Urn != step.Urn || step.Rerun ? StepOp.Update : StepOp.Same;
            return (op, inputs);
        }

        private async Task CreateAsync(ResourceState state, Urn? replacing)
        {
            var (provider, reference) = CurrentProvider(state);
            state = state with { Provider = reference ?? state.Provider };
            var pending = journal.Begin(state, PendingOperationType.Creating);
            await journal.PersistAsync(cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            ResourceState Record(ProviderResult result) => state with
            {
                Id = result.Id,
                Inputs = result.Inputs ?? state.Inputs,
                Outputs = MarkSecretOutputs(result.Outputs, state),
                Created = now,
                Modified = now,
            };
            var result = await SettleApply(pending, replacing, Record,
                WithTimeout(state, StepOp.Create, ct => provider.CreateAsync(state.Urn, state.Type, state.Inputs, Timeout(state, StepOp.Create), ct))).ConfigureAwait(false);
            journal.Put(Recorded(Record(result)), replacing);
            journal.End(pending);
        }

        private async Task UpdateAsync(Step step, JsonObject inputs)
        {
            var old = journal.Get(step.Old!.Urn) ?? step.Old;
            var (provider, reference) = CurrentProvider(step.New!);
            var state = step.New! with { Inputs = inputs, Provider = reference ?? step.New.Provider };
            var pending = journal.Begin(state, PendingOperationType.Updating);
            await journal.PersistAsync(cancellationToken).ConfigureAwait(false);
            ResourceState Record(ProviderResult result) => state with
            {
                Id = result.Id,
                Inputs = result.Inputs ?? inputs,
                Outputs = MarkSecretOutputs(result.Outputs, state),
                Created = old.Created,
                Modified = DateTimeOffset.UtcNow,
            };
            var result = await SettleApply(pending, old.Urn, Record, WithTimeout(state, StepOp.Update, ct =>
                provider.UpdateAsync(state.Urn, state.Type, old.Id ?? "", old.Inputs, old.Outputs, inputs, Timeout(state, StepOp.Update), ct))).ConfigureAwait(false);
            journal.Put(Recorded(Record(result)), old.Urn);
            journal.End(pending);
        }

        /// <summary>A provider resource's configuration is remembered under its new reference, for the resources it serves.</summary>
        private ResourceState Recorded(ResourceState state)
        {
            _providerStates.Record(state);
            return state;
        }

        /// <summary>
        /// The provider a resource about to be created or updated runs on — its provider resource as this run left it —
        /// and the reference to record (<c>urn::id</c>, now that the provider's id is known).
        /// </summary>
        private string? CurrentReference(ResourceState state) =>
            state.ProviderRef is { } wanted && journal.Get(wanted.Urn)?.Id is { Length: > 0 } id ? new ProviderReference(wanted.Urn, id).ToString() : null;

        private (IProvider Provider, string? Reference) CurrentProvider(ResourceState state)
        {
            if (state.ProviderRef is not { } wanted) return (owner._providers.Get(state.Type), null);
            var current = journal.Get(wanted.Urn);
            var reference = current?.Id is { Length: > 0 } id ? new ProviderReference(wanted.Urn, id) : wanted;
            var provider = owner._providers.Resolve(state.Type, reference, current?.Inputs)
                ?? throw new ProviderException($"its provider '{wanted.Urn.Name}' is not configured: "
                    + (current is null ? "the provider resource has not been created" : "its inputs are still unknown"));
            return (provider, reference.IdKnown ? reference.ToString() : null);
        }

        /// <summary>
        /// An apply the server accepted is recorded even when waiting for it failed: with its outputs, marked not
        /// ready (init errors), so the checkpoint never loses an object that exists. Then the failure goes on.
        /// </summary>
        private async Task<ProviderResult> SettleApply(PendingOperation pending, Urn? replacing, Func<ProviderResult, ResourceState> record, Task<ProviderResult> operation)
        {
            try
            {
                return await Settle(pending, operation).ConfigureAwait(false);
            }
            catch (PartialApplyException partial)
            {
                journal.Put(record(partial.Applied) with { InitErrors = [partial.Message] }, replacing);
                journal.End(pending);
                throw;
            }
        }

        private async Task ReplaceAsync(Step step, JsonObject inputs)
        {
            var old = step.Old!;
            var state = step.New! with { Inputs = inputs };
            if (state.DeleteBeforeReplace)
            {
                await DeleteAsync(old).ConfigureAwait(false);
                await CreateAsync(state, old.Urn).ConfigureAwait(false);
            }
            else
            {
                await CreateAsync(state with { Id = null }, null).ConfigureAwait(false);
                // The replacement now owns the URN; the replaced object goes (unless it is only retained).
                if (!old.RetainOnDelete) await DeleteObjectAsync(old).ConfigureAwait(false);
                if (old.Urn != state.Urn) journal.Remove(old.Urn);
            }
        }

        private async Task DeleteAsync(ResourceState old)
        {
            if (old.Protect)
            {
                throw new ProviderException(string.Format(Planner.ProtectedDeleteFormat, old.Urn));
            }
            if (old.Custom && !old.RetainOnDelete) await DeleteObjectAsync(old).ConfigureAwait(false);
            journal.Remove(old.Urn);
        }

        /// <summary>
        /// A resource a previous run began to create or update and never recorded, and which is no longer in the
        /// program: looked up on the server, and deleted when it is there.
        /// </summary>
        private async Task DeleteUnrecordedAsync(ResourceState old)
        {
            var provider = _providerStates.For(owner._providers, old);
            var live = await provider.ReadAsync(old.Urn, old.Type, old.Id ?? "", old.Inputs, old.Outputs, cancellationToken).ConfigureAwait(false);
            if (live is null)
            {
                _resolutions[old.Urn.Value] = "the resource is no longer in the program and its object was not found on the server: nothing to delete";
                return;
            }
            await DeleteObjectAsync(old with { Id = live.Id, Outputs = live.Outputs }).ConfigureAwait(false);
            _resolutions[old.Urn.Value] = $"the resource is no longer in the program, so its object ({live.Id}) was looked up on the server and deleted";
        }

        private async Task DeleteObjectAsync(ResourceState old)
        {
            // The provider it was recorded with: after a provider replace, that is the old cluster's.
            var provider = _providerStates.For(owner._providers, old);
            var pending = journal.Begin(old, PendingOperationType.Deleting);
            await journal.PersistAsync(cancellationToken).ConfigureAwait(false);
            await Settle(pending, WithTimeout(old, StepOp.Delete, async ct =>
            {
                await provider.DeleteAsync(old.Urn, old.Type, old.Id ?? "", old.Inputs, old.Outputs, Timeout(old, StepOp.Delete), ct).ConfigureAwait(false);
                return true;
            })).ConfigureAwait(false);
            journal.End(pending);
        }

        /// <summary>
        /// A provider that refused cleanly changed nothing, so its pending operation is cleared. A timeout or a
        /// cancellation leaves it: the object may or may not exist, and the next run must know to look.
        /// </summary>
        private async Task<T> Settle<T>(PendingOperation pending, Task<T> operation)
        {
            try
            {
                return await operation.ConfigureAwait(false);
            }
            catch (ProviderException)
            {
                journal.End(pending);
                throw;
            }
        }

        private void RecordComponent(Step step)
        {
            if (step.Op == StepOp.Delete) journal.Remove(step.Urn);
            else journal.Put(step.New!, step.Old?.Urn);
        }

        /// <summary>Component and stack outputs are resolved last: they usually read the outputs of their own children.</summary>
        private async Task ResolveComponentOutputsAsync()
        {
            if (desired is null) return;
            foreach (var resource in desired.Resources.OfType<ComponentResource>())
            {
                if (journal.Get(resource.Urn) is not { } state) continue;
                var outputs = (JsonObject)desired.ResolveOutputs(resource.Outputs, this)!;
                journal.Put(state with { Outputs = outputs });
            }
            await journal.PersistAsync(CancellationToken.None).ConfigureAwait(false);
        }

        private TimeSpan Timeout(ResourceState state, StepOp op) => op switch
        {
            StepOp.Create => state.CustomTimeouts?.Create,
            StepOp.Update => state.CustomTimeouts?.Update,
            StepOp.Delete => state.CustomTimeouts?.Delete,
            _ => null,
        } ?? options.DefaultTimeout;

        private async Task<T> WithTimeout<T>(ResourceState state, StepOp op, Func<CancellationToken, Task<T>> action)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // The provider gets the timeout to wait within; the engine cuts it off shortly after as a backstop.
            cts.CancelAfter(Timeout(state, op) + TimeSpan.FromSeconds(5));
            return await action(cts.Token).ConfigureAwait(false);
        }

        private static JsonObject MarkSecretOutputs(JsonObject outputs, ResourceState state)
        {
            var result = (JsonObject)outputs.DeepClone();
            foreach (var name in state.AdditionalSecretOutputs)
            {
                if (result.TryGetPropertyValue(name, out var value) && !PropertyValues.IsSecret(value))
                {
                    result[name] = PropertyValues.Secret(value);
                }
            }
            // Anything secret going in stays secret coming out when the provider echoes it.
            foreach (var (key, value) in state.Inputs)
            {
                if (PropertyValues.IsSecret(value) && result.TryGetPropertyValue(key, out var echoed) && !PropertyValues.IsSecret(echoed))
                {
                    result[key] = PropertyValues.Secret(echoed);
                }
            }
            return result;
        }

        public JsonObject? OutputsOf(Resource resource)
        {
            if (!_done.TryGetValue(resource.Urn.Value, out var task) || !task.IsCompletedSuccessfully || !task.Result)
            {
                // Not part of this run's forward steps, or not finished: fall back to what the journal holds.
                return _done.ContainsKey(resource.Urn.Value) ? null : journal.Get(resource.Urn)?.Outputs;
            }
            return journal.Get(resource.Urn)?.Outputs;
        }
    }

    private readonly ProviderRegistry _providers = providers;
}
