using System.Collections.Concurrent;

namespace Llmctl.Engine.State;

/// <summary>
/// Turns a backend URL into a backend. <c>file://</c> is built in; other schemes are registered by the program that
/// can build them (the engine knows nothing of Kubernetes): the CLI calls
/// <c>KubernetesBackend.Register()</c> once at start-up, which registers <c>kubernetes</c> here.
/// </summary>
/// <remarks>
/// URL forms:
/// <list type="bullet">
/// <item><c>file://&lt;path&gt;</c>, <c>file://~</c>, <c>file:///abs</c> — a folder (see <see cref="Create"/>).</item>
/// <item><c>kubernetes://&lt;namespace&gt;</c> — a Secret per stack in that namespace, locked by a Lease;
/// <c>kubernetes://</c> is the namespace <c>llmctl-state</c>. The cluster is the stack's
/// <c>kubernetes:kubeconfig</c> / <c>kubernetes:context</c>, else <c>$KUBECONFIG</c> / <c>~/.kube/config</c>.</item>
/// </list>
/// Chosen per stack by <c>backend: {url: …}</c> in Pulumi.yaml, overridden by <c>$LLMCTL_BACKEND_URL</c>.
/// </remarks>
public static class BackendFactory
{
    private static readonly ConcurrentDictionary<string, Func<BackendRequest, IStateBackend>> Schemes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Makes <c><paramref name="scheme"/>://…</c> URLs build a backend through <paramref name="factory"/>. Registering a
    /// scheme again replaces its factory. <c>file</c> cannot be replaced.
    /// </summary>
    public static void Register(string scheme, Func<BackendRequest, IStateBackend> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentNullException.ThrowIfNull(factory);
        if (string.Equals(scheme, "file", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("the file scheme is built in", nameof(scheme));
        if (scheme.Contains(':') || scheme.Contains('/')) throw new ArgumentException($"'{scheme}' is a scheme name, without '://'", nameof(scheme));
        Schemes[scheme] = factory;
    }

    /// <summary>Whether <c><paramref name="scheme"/>://</c> URLs can be built.</summary>
    public static bool IsRegistered(string scheme) => string.Equals(scheme, "file", StringComparison.OrdinalIgnoreCase) || Schemes.ContainsKey(scheme);

    /// <summary>
    /// <c>null</c> or empty: <see cref="FileBackend.DefaultRoot"/>. <c>file://~</c> and <c>file://~/x</c> are under the
    /// home folder; <c>file:///abs</c> is absolute; any other path is relative to <paramref name="projectDir"/>.
    /// Other schemes go to the factory registered for them, with <paramref name="stackConfig"/> (plain-text config
    /// values of the stack, such as <c>kubernetes:kubeconfig</c>).
    /// </summary>
    /// <exception cref="NotSupportedException">A scheme nobody registered.</exception>
    public static IStateBackend Create(string? url, string projectDir, IReadOnlyDictionary<string, string>? stackConfig = null)
    {
        ArgumentNullException.ThrowIfNull(projectDir);
        if (string.IsNullOrWhiteSpace(url)) return new FileBackend();
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? url[..separator] : "";
        if (!string.Equals(scheme, "file", StringComparison.OrdinalIgnoreCase))
        {
            if (scheme.Length > 0 && Schemes.TryGetValue(scheme, out var factory))
            {
                return factory(new BackendRequest(url, scheme.ToLowerInvariant(), url[(separator + 3)..], projectDir,
                    stackConfig ?? new Dictionary<string, string>()));
            }
            var kind = string.Equals(scheme, "kubernetes", StringComparison.OrdinalIgnoreCase)
                ? "the Kubernetes Secret backend is not registered in this program"
                : $"state backend '{url}' is not supported";
            throw new NotSupportedException($"{kind}; keep state in a folder with file://<path> (or file://~ for ~/.pulumi)");
        }
        var path = Uri.UnescapeDataString(url[(separator + 3)..]);
        if (path.Length == 0) throw new NotSupportedException($"backend URL '{url}' names no folder; use file://<path> or file://~");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (path == "~") path = home;
        else if (path.StartsWith("~/", StringComparison.Ordinal)) path = Path.Combine(home, path[2..]);
        else if (!Path.IsPathRooted(path)) path = Path.Combine(projectDir, path);
        return new FileBackend(path);
    }
}

/// <summary>What a registered backend factory is given.</summary>
/// <param name="Url">The whole URL as written (<c>kubernetes://llmctl-state</c>).</param>
/// <param name="Scheme">Its scheme, lower case (<c>kubernetes</c>).</param>
/// <param name="Location">What follows <c>://</c> (<c>llmctl-state</c>; empty for <c>kubernetes://</c>).</param>
/// <param name="ProjectDirectory">The folder holding Pulumi.yaml.</param>
/// <param name="StackConfig">The stack's plain-text config values by full key (<c>kubernetes:context</c>).</param>
public sealed record BackendRequest(string Url, string Scheme, string Location, string ProjectDirectory, IReadOnlyDictionary<string, string> StackConfig);
