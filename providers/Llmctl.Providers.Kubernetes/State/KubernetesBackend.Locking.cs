using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;

namespace Llmctl.Providers.Kubernetes.State;

public sealed partial class KubernetesBackend
{
    /// <summary>
    /// Takes the stack's lock: creates the Lease <c>llmctl-&lt;project&gt;-&lt;stack&gt;</c> with
    /// <c>holderIdentity: user@host:pid</c>, <c>acquireTime</c>, <c>renewTime</c> and
    /// <c>leaseDurationSeconds</c>, and the holder's user, host, pid and operation as <c>llmctl.io/lock-*</c>
    /// annotations. While held, the Lease is renewed every <see cref="KubernetesBackendOptions.RenewInterval"/>.
    /// <para>
    /// A Lease that is held and not expired refuses at once with <see cref="StackLockedException"/> naming the holder —
    /// unless its holder ran on this host and its process is gone (killed, crashed): that Lease is taken over at once,
    /// as the file backend takes over a dead local holder's lock, instead of making the next run wait out the
    /// duration. A Lease not renewed for its duration (its holder died elsewhere or lost the cluster) is taken over
    /// too. A take-over replaces the Lease at its <c>resourceVersion</c>, so of two takers one wins, and is reported
    /// through <see cref="OperationProgress"/> and <see cref="StackLease.TookOverFrom"/>. Expiry is judged by this
    /// machine's clock against the Lease's <c>renewTime</c>, so clocks that disagree by more than the duration misjudge it.
    /// </para>
    /// Disposing stops the renewal and deletes the Lease only if it is still ours (a <c>resourceVersion</c>
    /// precondition), so a lock that was forced away and taken by someone else is left alone.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(string project, string stack, string operation, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        var name = ObjectName(project, stack);
        var holder = new LockHolder(Environment.UserName, Environment.MachineName, Environment.ProcessId, operation, _options.Time.GetUtcNow());
        var id = Guid.NewGuid().ToString("N");
        for (var attempt = 0; ; attempt++)
        {
            var now = _options.Time.GetUtcNow().UtcDateTime;
            var body = LeaseBody(project, stack, name, holder, id, now, transitions: 0);
            try
            {
                var created = await CreateInNamespaceAsync(c => c.CoordinationV1.CreateNamespacedLeaseAsync(body, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                return Hold(stack, created, null);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
            {
            }

            var live = await ReadLeaseAsync(name, cancellationToken).ConfigureAwait(false);
            if (live is null && attempt < 3) continue; // released between our create and our read
            if (live is null) throw new KubernetesStateException($"the lock of stack '{stack}' (Lease {_options.Namespace}/{name}) keeps changing; try again");
            if (LeaseAnnotation(live, StateNames.LockId) == id) return Hold(stack, live, null); // our own create, retried

            var other = HolderOf(live);
            var expires = ExpiresAt(live);
            var deadHere = other.IsDeadHere();
            if (expires is { } at && at > _options.Time.GetUtcNow() && !deadHere)
            {
                throw new StackLockedException(stack, other, $"Lease {_options.Namespace}/{name}; it expires by itself at {at:u} unless renewed",
                    looksStale: false, aliveHere: other.IsAliveHere());
            }

            // Expired, released without being deleted, or left by a dead process of this host: take it over at the
            // version we read.
            var takeover = LeaseBody(project, stack, name, holder, id, now, (live.Spec?.LeaseTransitions ?? 0) + 1);
            takeover.Metadata.ResourceVersion = live.ResourceVersion();
            try
            {
                var taken = await CallAsync(c => c.CoordinationV1.ReplaceNamespacedLeaseAsync(takeover, name, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                var renewed = expires is { } e ? $"last renewed {e - TimeSpan.FromSeconds(live.Spec?.LeaseDurationSeconds ?? 0):u}" : "released";
                OperationProgress.Report(deadHere && expires > _options.Time.GetUtcNow()
                    ? $"warning: took over the lock of stack '{stack}' from {other.User}@{other.Host} (pid {other.Pid}, '{other.Operation}'): that process no longer runs on this host ({renewed})"
                    : $"took over the expired lock of stack '{stack}' from {other.User}@{other.Host} (pid {other.Pid}, '{other.Operation}', {renewed})");
                return Hold(stack, taken, other);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound && attempt < 3)
            {
                // Someone else took it over (or released it) first: look again.
            }
        }
    }

    public async Task ForceUnlockAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(project, stack);
        try
        {
            await CallAsync(c => c.CoordinationV1.DeleteNamespacedLeaseAsync(name, _options.Namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private StackLease Hold(string stack, V1Lease lease, LockHolder? tookOverFrom)
    {
        var interval = _options.RenewInterval ?? _options.LeaseDuration / 3;
        return new StackLease(this, stack, lease, tookOverFrom, interval);
    }

    private V1Lease LeaseBody(string project, string stack, string name, LockHolder holder, string id, DateTime now, int transitions) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = _options.Namespace,
            Labels = Labels(project, stack),
            Annotations = new Dictionary<string, string>
            {
                [StateNames.ProjectAnnotation] = project,
                [StateNames.StackAnnotation] = stack,
                [StateNames.LockUser] = holder.User,
                [StateNames.LockHost] = holder.Host,
                [StateNames.LockPid] = holder.Pid.ToString(CultureInfo.InvariantCulture),
                [StateNames.LockOperation] = holder.Operation,
                [StateNames.LockId] = id,
            },
        },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = $"{holder.User}@{holder.Host}:{holder.Pid}",
            LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds),
            AcquireTime = now,
            RenewTime = now,
            LeaseTransitions = transitions,
        },
    };

    /// <summary>The holder from our annotations, else from <c>holderIdentity</c> (<c>user@host:pid</c>) for a Lease another tool wrote.</summary>
    private static LockHolder HolderOf(V1Lease lease)
    {
        var identity = lease.Spec?.HolderIdentity ?? "";
        var at = identity.LastIndexOf('@');
        var colon = identity.LastIndexOf(':');
        var user = LeaseAnnotation(lease, StateNames.LockUser) ?? (at > 0 ? identity[..at] : identity.Length > 0 ? identity : "unknown");
        var host = LeaseAnnotation(lease, StateNames.LockHost) ?? (at > 0 && colon > at ? identity[(at + 1)..colon] : "unknown");
        var pidText = LeaseAnnotation(lease, StateNames.LockPid) ?? (colon > at ? identity[(colon + 1)..] : "0");
        var since = lease.Spec?.AcquireTime is { } acquired ? new DateTimeOffset(DateTime.SpecifyKind(acquired, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        return new LockHolder(user, host, int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid) ? pid : 0,
            LeaseAnnotation(lease, StateNames.LockOperation) ?? "unknown", since);
    }

    /// <summary>When the Lease runs out; null when it has no holder (released) and may be taken at once.</summary>
    private static DateTimeOffset? ExpiresAt(V1Lease lease)
    {
        if (string.IsNullOrEmpty(lease.Spec?.HolderIdentity)) return null;
        var renewed = lease.Spec.RenewTime ?? lease.Spec.AcquireTime;
        if (renewed is null) return null;
        return new DateTimeOffset(DateTime.SpecifyKind(renewed.Value, DateTimeKind.Utc)) + TimeSpan.FromSeconds(lease.Spec.LeaseDurationSeconds ?? 0);
    }

    private static string? LeaseAnnotation(V1Lease lease, string key) => lease.Metadata?.Annotations?.TryGetValue(key, out var v) == true ? v : null;

    private async Task<V1Lease?> ReadLeaseAsync(string name, CancellationToken ct)
    {
        try
        {
            return await CallAsync(c => c.CoordinationV1.ReadNamespacedLeaseAsync(name, _options.Namespace, cancellationToken: ct), ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// A held stack lock: renews its Lease in the background until disposed. When a renewal finds the Lease gone or
    /// changed by someone else (force-unlocked, or taken over after this process stalled past its duration),
    /// <see cref="Lost"/> is cancelled and it is reported; saves are still guarded by the Secret's resourceVersion.
    /// </summary>
    public sealed class StackLease : IStackLock
    {
        private readonly KubernetesBackend _backend;
        private readonly string _stack;
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _lost = new();
        private readonly Task _renewal;
        private V1Lease _lease;
        private int _disposed;

        internal StackLease(KubernetesBackend backend, string stack, V1Lease lease, LockHolder? tookOverFrom, TimeSpan interval)
        {
            _backend = backend;
            _stack = stack;
            _lease = lease;
            TookOverFrom = tookOverFrom;
            _renewal = RenewAsync(interval);
        }

        /// <summary>The holder whose expired Lease this lock took over, or null when the stack was free.</summary>
        public LockHolder? TookOverFrom { get; }

        /// <summary>Cancelled when the Lease was found gone or someone else's at a renewal.</summary>
        public CancellationToken Lost => _lost.Token;

        /// <summary>How many renewals succeeded.</summary>
        public int Renewals { get; private set; }

        public string Name => _lease.Metadata.Name;

        private async Task RenewAsync(TimeSpan interval)
        {
            var ns = _backend._options.Namespace;
            while (true)
            {
                try
                {
                    await Task.Delay(interval, _backend._options.Time, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                var next = _lease;
                next.Spec.RenewTime = _backend._options.Time.GetUtcNow().UtcDateTime;
                try
                {
                    // Not cancelled by dispose: a renewal the server carried out must leave us its resourceVersion.
                    _lease = await _backend.CallAsync(c => c.CoordinationV1.ReplaceNamespacedLeaseAsync(next, Name, ns), CancellationToken.None).ConfigureAwait(false);
                    Renewals++;
                }
                catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
                {
                    OperationProgress.Report($"the lock of stack '{_stack}' (Lease {ns}/{Name}) was {(e.Response.StatusCode == HttpStatusCode.NotFound ? "removed" : "taken by someone else")} while this run held it");
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
                catch (KubernetesStateException e)
                {
                    // Transient trouble: the next renewal may still come in time.
                    OperationProgress.Report($"could not renew the lock of stack '{_stack}': {e.Message}");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewal.ConfigureAwait(false);
            if (!_lost.IsCancellationRequested)
            {
                try
                {
                    var options = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = _lease.ResourceVersion(), Uid = _lease.Uid() } };
                    await _backend.CallAsync(c => c.CoordinationV1.DeleteNamespacedLeaseAsync(Name, _backend._options.Namespace, options), CancellationToken.None).ConfigureAwait(false);
                }
                catch (HttpOperationException)
                {
                    // Gone already, or no longer ours (409): either way not ours to delete.
                }
                catch (KubernetesStateException e)
                {
                    OperationProgress.Report($"could not release the lock of stack '{_stack}' ({e.Message}); it expires by itself");
                }
            }
            _stop.Dispose();
            _lost.Dispose();
        }
    }
}
