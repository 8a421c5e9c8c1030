using System.Globalization;

namespace Llmctl.Fit.Gguf;

/// <summary>
/// What a hub says about a file without sending it: Hugging Face answers a HEAD of a <c>resolve/</c> URL of an LFS file
/// with <c>X-Linked-Etag</c> (the LFS object id, i.e. the file's sha256, in quotes) and <c>X-Linked-Size</c>, on the
/// redirect itself — so the HEAD is made without following redirects (as huggingface_hub's <c>get_hf_file_metadata</c> does).
/// </summary>
public sealed record HubFileMetadata(string? Sha256, long? SizeBytes, string? Note)
{
    public const string LinkedEtagHeader = "X-Linked-Etag";
    public const string LinkedSizeHeader = "X-Linked-Size";

    /// <summary>HEADs <paramref name="uri"/> with <paramref name="noRedirects"/> (a client that does not follow redirects).</summary>
    public static async Task<HubFileMetadata> HeadAsync(HttpClient noRedirects, Uri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(noRedirects);
        using var request = new HttpRequestMessage(HttpMethod.Head, uri);
        using var response = await noRedirects.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode >= 400)
        {
            throw new IOException($"{uri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        var etag = First(response, LinkedEtagHeader);
        var size = First(response, LinkedSizeHeader) is { } s && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0 ? bytes : (long?)null;
        if (etag is null)
        {
            return new HubFileMetadata(null, size, $"the server sent no {LinkedEtagHeader} header, so the sha256 is not known");
        }
        var sha = etag.Trim();
        if (sha.StartsWith("W/", StringComparison.Ordinal)) sha = sha[2..];
        sha = sha.Trim('"').ToLowerInvariant();
        return Llmctl.Fit.Lock.ModelLock.IsSha256(sha)
            ? new HubFileMetadata(sha, size, null)
            : new HubFileMetadata(null, size, $"the server's {LinkedEtagHeader} '{etag}' is not a sha256 (not an LFS file?), so the sha256 is not known");
    }

    private static string? First(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(header, out var content) ? content.FirstOrDefault() : null;
}
