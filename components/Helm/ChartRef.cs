using System.Text.RegularExpressions;

namespace Llmctl.Components.Helm;

/// <summary>
/// One chart, exactly: its name in <paramref name="Repository"/>, the exact <paramref name="Version"/>, and the sha256 of
/// the packaged chart (<c>&lt;name&gt;-&lt;version&gt;.tgz</c>) as <paramref name="Digest"/> (<c>sha256:&lt;64 hex&gt;</c>).
/// Each chart component owns one <see cref="ChartRef"/> and its tests read it, so a version appears once in the code.
/// The components' own values leave <paramref name="Digest"/> null: the digest of a published package is a fact
/// recorded in <c>charts.lock.yaml</c> (written by <c>llmctl charts pull --update-lock</c>), and
/// <see cref="WithDigest"/> joins the two.
/// </summary>
public sealed partial record ChartRef(string Name, string Repository, string Version, string? Digest = null)
{
    /// <summary>OCI registries (<c>oci://…</c>) name the chart as a path; classic repositories serve an <c>index.yaml</c>.</summary>
    public bool IsOci => Repository.StartsWith("oci://", StringComparison.Ordinal);

    /// <summary>The repository URL without a trailing slash, as the lock compares it.</summary>
    public string RepositoryKey => Repository.TrimEnd('/');

    /// <summary>The packaged chart's file name, as <c>helm package</c> and repositories name it.</summary>
    public string PackageFileName => $"{Name}-{Version}.tgz";

    public ChartRef WithDigest(string? digest) => this with { Digest = digest };

    /// <summary>True when <paramref name="other"/> is the same chart and version (the digest aside).</summary>
    public bool SameChart(ChartRef other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Name == other.Name && Version == other.Version && RepositoryKey == other.RepositoryKey;
    }

    /// <summary>Null when <paramref name="digest"/> is <c>sha256:</c> and 64 lowercase hex digits, else what is wrong.</summary>
    public static string? DigestProblem(string digest) =>
        DigestPattern().IsMatch(digest ?? "") ? null : $"'{digest}' is not a chart digest; write sha256: followed by 64 lowercase hex digits";

    public override string ToString() => $"{Name} {Version} ({Repository})";

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();
}
