using System.Security.Cryptography;

namespace Llmctl.Providers.Helm;

/// <summary>
/// Packaged charts on local disk, one file per repository, name and version:
/// <c>&lt;root&gt;/&lt;repository host and path&gt;/&lt;name&gt;-&lt;version&gt;.tgz</c>. The root is <c>$LLMCTL_CHART_CACHE</c>, else
/// <c>~/.llmctl/charts</c>. Preview reads only from here, so it works offline once <c>llmctl charts pull</c> ran.
/// </summary>
public sealed class ChartCache(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public static ChartCache Default(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var root = environment("LLMCTL_CHART_CACHE") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".llmctl", "charts");
        return new ChartCache(root);
    }

    public string PathFor(string name, string repository, string version)
    {
        var uri = new Uri(repository.TrimEnd('/'));
        var parts = new List<string> { Safe(uri.Host + (uri.IsDefaultPort ? "" : $"_{uri.Port}")) };
        parts.AddRange(uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Safe));
        return Path.Combine([Root, .. parts, $"{Safe(name)}-{Safe(version)}.tgz"]);
    }

    /// <summary><c>sha256:&lt;hex&gt;</c> of a file.</summary>
    public static string Digest(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private static string Safe(string segment) =>
        string.Concat(segment.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
