using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Llmctl.Components.Images;

/// <summary>
/// A container image reference, <c>[registry/]repository[:tag][@sha256:&lt;64 hex&gt;]</c>. Pinned means it carries a
/// digest: the tag is then only a label for people, the digest is what the node pulls.
/// </summary>
public sealed partial record ImageRef
{
    private ImageRef(string repository, string? tag, string? digest)
    {
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Registry and path, <c>ghcr.io/ggml-org/llama.cpp</c>.</summary>
    public string Repository { get; }
    public string? Tag { get; }
    /// <summary><c>sha256:</c> and 64 lowercase hex digits, or null when the reference is not pinned.</summary>
    public string? Digest { get; }

    public bool IsPinned => Digest is not null;

    public static ImageRef Create(string repository, string? tag, string? digest)
    {
        var text = repository + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest);
        return Parse(text);
    }

    public static ImageRef Parse(string text) =>
        TryParse(text, out var image, out var error) ? image : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out ImageRef? image, out string error)
    {
        image = null;
        error = "";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "the image is empty; write repository:tag@sha256:<64 hex digits>";
            return false;
        }
        string? digest = null;
        var at = s.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = s[(at + 1)..];
            s = s[..at];
            if (!DigestPattern().IsMatch(digest))
            {
                error = $"'{text}' has digest '{digest}', which is not sha256: followed by 64 lowercase hex digits";
                return false;
            }
        }
        string? tag = null;
        var colon = s.LastIndexOf(':');
        if (colon > s.LastIndexOf('/'))
        {
            tag = s[(colon + 1)..];
            s = s[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                error = $"'{text}' has tag '{tag}', which is not a valid tag (letters, digits, '_', '.', '-'; at most 128)";
                return false;
            }
        }
        if (!RepositoryPattern().IsMatch(s))
        {
            error = $"'{text}' has repository '{s}', which is not a valid image repository (lowercase path components, an optional registry host[:port] first)";
            return false;
        }
        image = new ImageRef(s, tag, digest);
        return true;
    }

    /// <summary>The same repository and tag at <paramref name="digest"/>.</summary>
    public ImageRef WithDigest(string digest) => Create(Repository, Tag, digest);

    public override string ToString() =>
        Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();
}
