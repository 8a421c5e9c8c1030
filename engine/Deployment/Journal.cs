using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Deployment;

/// <summary>
/// The checkpoint as it changes during a run. Every mutation is followed by <see cref="PersistAsync"/>; concurrent
/// callers share one write when theirs is already covered, so a wide parallel run does not write once per caller.
/// A pending operation is persisted before its step touches anything and cleared after, so a killed run never
/// loses track of what it was doing.
/// </summary>
public sealed class Journal
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly IStateBackend _backend;
    private readonly ISecretCrypter? _crypter;
    private readonly Dictionary<string, ResourceState> _states = new(StringComparer.Ordinal);
    private readonly List<string> _order;
    private readonly HashSet<string> _ordered;
    private readonly List<PendingOperation> _pending = [];
    /// <summary>Pending operations a previous run left; each stays recorded until a step of this run settles its resource.</summary>
    private readonly List<PendingOperation> _inherited;
    private readonly StackCheckpoint _base;
    private long _version;
    private long _persisted;

    public Journal(IStateBackend backend, ISecretCrypter? crypter, StackCheckpoint start, IEnumerable<Urn> desiredOrder)
    {
        _backend = backend;
        _crypter = crypter;
        _base = start;
        _inherited = start.PendingOperations.ToList();
        foreach (var r in start.Resources) _states[r.Urn.Value] = r;
        // Desired order first (topological by construction), then what remains of the old checkpoint.
        _order = desiredOrder.Select(u => u.Value).Concat(start.Resources.Select(r => r.Urn.Value)).Distinct().ToList();
        _ordered = new HashSet<string>(_order, StringComparer.Ordinal);
    }

    public ResourceState? Get(Urn urn)
    {
        lock (_gate) return _states.GetValueOrDefault(urn.Value);
    }

    public void Put(ResourceState state, Urn? replacing = null)
    {
        lock (_gate)
        {
            if (replacing is { } old && old != state.Urn) _states.Remove(old.Value);
            _states[state.Urn.Value] = state;
            if (_ordered.Add(state.Urn.Value)) _order.Add(state.Urn.Value);
            _version++;
        }
    }

    public void Remove(Urn urn)
    {
        lock (_gate)
        {
            _states.Remove(urn.Value);
            _version++;
        }
    }

    public PendingOperation Begin(ResourceState resource, PendingOperationType type)
    {
        var op = new PendingOperation(resource, type);
        lock (_gate)
        {
            _pending.Add(op);
            _version++;
        }
        return op;
    }

    public void End(PendingOperation op)
    {
        lock (_gate)
        {
            _pending.Remove(op);
            _version++;
        }
    }

    /// <summary>
    /// The pending operations a previous run left. They are not cleared here: each stays in the checkpoint until a
    /// step of this run has settled its resource (<see cref="Settled"/>), so a run that fails again still knows.
    /// </summary>
    public IReadOnlyList<PendingOperation> Inherited => _base.PendingOperations;

    /// <summary>A step for <paramref name="urn"/> finished: what a previous run left pending for it is resolved.</summary>
    public void Settled(Urn urn)
    {
        lock (_gate)
        {
            if (_inherited.RemoveAll(op => op.Resource.Urn == urn) > 0) _version++;
        }
    }

    /// <summary>Whether a previous run's pending operation for <paramref name="urn"/> is still unresolved.</summary>
    public bool IsStillPending(Urn urn)
    {
        lock (_gate) return _inherited.Any(op => op.Resource.Urn == urn);
    }

    public StackCheckpoint Snapshot()
    {
        lock (_gate)
        {
            return _base with
            {
                Resources = _order.Where(_states.ContainsKey).Select(u => _states[u]).ToList(),
                PendingOperations = _inherited.Concat(_pending).ToList(),
                Time = DateTimeOffset.UtcNow,
            };
        }
    }

    public async Task PersistAsync(CancellationToken cancellationToken = default)
    {
        long wanted;
        lock (_gate) wanted = _version;
        // The write must happen even when the run is being cancelled: that is exactly when it matters.
        await _writer.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _persisted) >= wanted) return;
            long version;
            StackCheckpoint snapshot;
            lock (_gate)
            {
                version = _version;
                snapshot = Snapshot();
            }
            await _backend.SaveAsync(snapshot, _crypter, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Exchange(ref _persisted, version);
        }
        finally
        {
            _writer.Release();
        }
    }
}
