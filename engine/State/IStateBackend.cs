using Llmctl.Engine.Config;

namespace Llmctl.Engine.State;

/// <summary>Where checkpoints live and how a stack is locked while it is changed.</summary>
public interface IStateBackend
{
    /// <summary>A readable description (<c>file:///home/me/.llmctl</c>).</summary>
    string Url { get; }

    Task<bool> ExistsAsync(string project, string stack, CancellationToken cancellationToken = default);

    /// <summary>Creates an empty stack; throws <see cref="StackAlreadyExistsException"/> if it exists.</summary>
    Task CreateAsync(string project, string stack, CancellationToken cancellationToken = default);

    /// <summary>The checkpoint, or null when the stack does not exist. Secrets are decrypted through <paramref name="crypter"/> lazily or eagerly.</summary>
    Task<StackCheckpoint?> LoadAsync(string project, string stack, ISecretCrypter? crypter, CancellationToken cancellationToken = default);

    /// <summary>Writes atomically (temp file + rename, or a single API call). Secrets are encrypted through <paramref name="crypter"/>.</summary>
    Task SaveAsync(StackCheckpoint checkpoint, ISecretCrypter? crypter, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StackSummary>> ListAsync(string project, CancellationToken cancellationToken = default);

    /// <summary>Removes the stack's checkpoint (and its backup) and its history.</summary>
    Task RemoveAsync(string project, string stack, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records one finished update, refresh, destroy or import in the stack's history, numbered one past the last
    /// (<see cref="UpdateRecord.Version"/> is assigned here); returns the record as stored.
    /// </summary>
    Task<UpdateRecord> AppendHistoryAsync(string project, string stack, UpdateRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps a copy of the stored checkpoint as it is now (before <c>stack import</c> replaces it), secrets still
    /// encrypted; returns where it went, or null when the stack has no checkpoint to keep.
    /// </summary>
    Task<string?> BackupAsync(string project, string stack, CancellationToken cancellationToken = default);

    /// <summary>The stack's history, newest first; empty when it has none.</summary>
    Task<IReadOnlyList<UpdateRecord>> HistoryAsync(string project, string stack, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the stack's lock for <paramref name="operation"/> at once or throws <see cref="StackLockedException"/>
    /// naming the holder. Dispose to release.
    /// </summary>
    Task<IAsyncDisposable> LockAsync(string project, string stack, string operation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the stack's lock whoever holds it (<c>llmctl stack unlock</c>), for a lock left by a process that died.
    /// Does nothing when the stack is not locked.
    /// </summary>
    Task ForceUnlockAsync(string project, string stack, CancellationToken cancellationToken = default);
}

public sealed record LockHolder(string User, string Host, int Pid, string Operation, DateTimeOffset Since)
{
    /// <summary>The holder ran on this host.</summary>
    public bool IsHere => Host == Environment.MachineName;

    /// <summary>
    /// The holder ran on this host and its process still runs: its pid exists and that process started before the
    /// lock was taken (a pid reused by a later process is not the holder). Every backend judges a local holder so.
    /// </summary>
    public bool IsAliveHere()
    {
        if (!IsHere) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Pid);
            if (process.HasExited) return false;
            try
            {
                return process.StartTime.ToUniversalTime() <= Since.UtcDateTime + TimeSpan.FromSeconds(2);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                return true; // running, start time unreadable: assume it is the holder
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The holder ran on this host and its process is gone: the lock was left behind and may be taken over.</summary>
    public bool IsDeadHere() => IsHere && !IsAliveHere();
}

/// <summary>A lock a backend handed out. <see cref="TookOverFrom"/> names the holder whose stale lock it replaced.</summary>
public interface IStackLock : IAsyncDisposable
{
    /// <summary>The dead (or expired) holder whose lock was taken over, or null when the stack was free.</summary>
    LockHolder? TookOverFrom { get; }
}

/// <param name="looksStale">The holder ran on this host and its process is gone: the lock was left behind.</param>
/// <param name="aliveHere">The holder runs on this host and its process is alive: the lock is in use.</param>
public sealed class StackLockedException(string stack, LockHolder holder, string? lockLocation, bool looksStale = false, bool aliveHere = false)
    : Exception($"the stack '{stack}' is locked by {holder.User}@{holder.Host} (pid {holder.Pid}), running '{holder.Operation}' since {holder.Since:u}"
        + (looksStale
            ? $"; the lock looks stale (pid {holder.Pid} is no longer running on this host): remove it with `llmctl stack unlock`"
                + (lockLocation is null ? "" : $" ({lockLocation})")
            : aliveHere
                ? $"; that process is still running on this host: wait for it to finish, or stop it"
                    + (lockLocation is null ? "" : $" ({lockLocation})")
                : lockLocation is null ? "" : $"; if that process is gone, remove the lock with `llmctl stack unlock` ({lockLocation})"))
{
    public LockHolder Holder { get; } = holder;
    public bool LooksStale { get; } = looksStale;
    /// <summary>The holder's process is running on this host (so <c>stack unlock</c> refuses without <c>--force</c>).</summary>
    public bool HolderAliveHere { get; } = aliveHere;
}

public sealed class StackAlreadyExistsException(string stack) : Exception($"stack '{stack}' already exists");

/// <summary>A checkpoint could not be read (corrupt JSON, unknown version). The message names the file.</summary>
public sealed class CheckpointFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A save lost a race: the stored checkpoint changed after this backend read it (someone else wrote it), so nothing
/// was written. Re-run to start from the current state.
/// </summary>
public sealed class CheckpointConflictException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The checkpoint could not be written (a read-only or immutable file, a full disk, a folder in the way). Nothing was
/// half-written: the stored checkpoint is the one before this write. The message names the file and the reason.
/// </summary>
public sealed class StateWriteException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The stored checkpoint looks lost while its backup still holds resources (missing, or empty while the
/// <c>.bak</c> is not). llmctl stops rather than treat the stack as new; the message says how to restore it.
/// </summary>
public sealed class CheckpointLostException(string message) : Exception(message);
