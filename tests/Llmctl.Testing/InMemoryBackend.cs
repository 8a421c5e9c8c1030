using System.Collections.Concurrent;
using Llmctl.Engine.Config;
using Llmctl.Engine.State;

namespace Llmctl.Testing;

/// <summary>
/// A state backend in memory for engine tests: keeps every saved checkpoint (so a test can see the pending
/// operation written before a step), refuses a second lock like the real backends.
/// </summary>
public sealed class InMemoryBackend : IStateBackend
{
    private readonly ConcurrentDictionary<string, StackCheckpoint> _stacks = new();
    private readonly ConcurrentDictionary<string, LockHolder> _locks = new();

    public string Url => "memory://";

    /// <summary>Every checkpoint saved, in order.</summary>
    public ConcurrentQueue<StackCheckpoint> Saves { get; } = new();

    private static string Key(string project, string stack) => $"{project}/{stack}";

    public Task<bool> ExistsAsync(string project, string stack, CancellationToken cancellationToken = default) =>
        Task.FromResult(_stacks.ContainsKey(Key(project, stack)));

    public Task CreateAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        if (!_stacks.TryAdd(Key(project, stack), StackCheckpoint.Empty(project, stack))) throw new StackAlreadyExistsException(stack);
        return Task.CompletedTask;
    }

    public Task<StackCheckpoint?> LoadAsync(string project, string stack, ISecretCrypter? crypter, CancellationToken cancellationToken = default) =>
        Task.FromResult(_stacks.GetValueOrDefault(Key(project, stack)));

    /// <summary>When set, a save whose checkpoint it matches fails with <see cref="StateWriteException"/> and stores nothing.</summary>
    public Func<StackCheckpoint, bool>? FailSaveWhen { get; set; }

    public Task SaveAsync(StackCheckpoint checkpoint, ISecretCrypter? crypter, CancellationToken cancellationToken = default)
    {
        if (FailSaveWhen?.Invoke(checkpoint) == true) throw new StateWriteException("cannot write the checkpoint memory://: disk full (injected)");
        _stacks[Key(checkpoint.Project, checkpoint.Stack)] = checkpoint;
        Saves.Enqueue(checkpoint);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StackSummary>> ListAsync(string project, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StackSummary>>(_stacks.Values.Where(c => c.Project == project)
            .Select(c => new StackSummary(c.Project, c.Stack, c.Time, c.Resources.Count, Url)).ToList());

    public Task RemoveAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        _stacks.TryRemove(Key(project, stack), out _);
        _history.TryRemove(Key(project, stack), out _);
        return Task.CompletedTask;
    }

    private readonly ConcurrentDictionary<string, List<UpdateRecord>> _history = new();

    /// <summary>Every checkpoint <see cref="BackupAsync"/> kept, in order.</summary>
    public ConcurrentQueue<StackCheckpoint> Backups { get; } = new();

    public Task<string?> BackupAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        if (!_stacks.TryGetValue(Key(project, stack), out var current)) return Task.FromResult<string?>(null);
        Backups.Enqueue(current);
        return Task.FromResult<string?>($"memory://backups/{Key(project, stack)}/{Backups.Count}");
    }

    public Task<UpdateRecord> AppendHistoryAsync(string project, string stack, UpdateRecord record, CancellationToken cancellationToken = default)
    {
        var list = _history.GetOrAdd(Key(project, stack), _ => []);
        lock (list)
        {
            var stored = record with { Version = list.Count + 1 };
            list.Add(stored);
            return Task.FromResult(stored);
        }
    }

    public Task<IReadOnlyList<UpdateRecord>> HistoryAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var list = _history.GetValueOrDefault(Key(project, stack)) ?? [];
        lock (list) return Task.FromResult<IReadOnlyList<UpdateRecord>>(list.AsEnumerable().Reverse().ToList());
    }

    public Task ForceUnlockAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        _locks.TryRemove(Key(project, stack), out _);
        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> LockAsync(string project, string stack, string operation, CancellationToken cancellationToken = default)
    {
        var holder = new LockHolder("test", "localhost", Environment.ProcessId, operation, DateTimeOffset.UtcNow);
        if (!_locks.TryAdd(Key(project, stack), holder)) throw new StackLockedException(stack, _locks[Key(project, stack)], null);
        return Task.FromResult<IAsyncDisposable>(new Release(() => _locks.TryRemove(Key(project, stack), out _)));
    }

    private sealed class Release(Action release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            release();
            return ValueTask.CompletedTask;
        }
    }
}
