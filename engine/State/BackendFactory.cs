namespace Llmctl.Engine.State;

/// <summary>Turns a backend URL (<c>file://&lt;path&gt;</c>, <c>file://~</c>) into a backend.</summary>
public static class BackendFactory
{
    /// <summary>
    /// <c>null</c> or empty: <see cref="FileBackend.DefaultRoot"/>. <c>file://~</c> and <c>file://~/x</c> are under the
    /// home folder; <c>file:///abs</c> is absolute; any other path is relative to <paramref name="projectDir"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">Any other scheme.</exception>
    public static IStateBackend Create(string? url, string projectDir)
    {
        ArgumentNullException.ThrowIfNull(projectDir);
        if (string.IsNullOrWhiteSpace(url)) return new FileBackend();
        const string scheme = "file://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            var kind = url.StartsWith("kubernetes://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("k8s://", StringComparison.OrdinalIgnoreCase)
                ? "the Kubernetes Secret backend is not available yet"
                : $"state backend '{url}' is not supported";
            throw new NotSupportedException($"{kind}; keep state in a folder with file://<path> (or file://~ for ~/.pulumi)");
        }
        var path = Uri.UnescapeDataString(url[scheme.Length..]);
        if (path.Length == 0) throw new NotSupportedException($"backend URL '{url}' names no folder; use file://<path> or file://~");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (path == "~") path = home;
        else if (path.StartsWith("~/", StringComparison.Ordinal)) path = Path.Combine(home, path[2..]);
        else if (!Path.IsPathRooted(path)) path = Path.Combine(projectDir, path);
        return new FileBackend(path);
    }
}
