using Llmctl.Engine.State;

namespace Llmctl.Infra.Cli;

/// <summary>Takes a stack's lock for a verb, and says so when it took over a lock a dead run left behind.</summary>
internal static class StackLocks
{
    public static async Task<IAsyncDisposable> TakeAsync(CliContext cli, IStateBackend backend, string project, string stack, string operation, CancellationToken ct)
    {
        var taken = await backend.LockAsync(project, stack, operation, ct).ConfigureAwait(false);
        if (taken is IStackLock { TookOverFrom: { } old })
        {
            cli.Err.WriteLine($"warning: took over the lock of stack '{stack}' left by {old.User}@{old.Host} (pid {old.Pid}, running '{old.Operation}' "
                + $"since {old.Since:u}), which is no longer running; what it left pending is resolved by this run");
        }
        return taken;
    }
}
