using YamlDotNet.RepresentationModel;

namespace Llmctl.Providers.Helm;

/// <summary>
/// Fetches a packaged chart from a classic Helm repository (its <c>index.yaml</c> names the package's URL and digest)
/// or, for <c>oci://</c> repositories, through <c>helm pull</c>.
/// </summary>
public sealed class ChartRepositoryClient(HttpClient http, HelmBinary? helm)
{
    /// <summary>The package bytes and the digest the repository's index gives for them (null when it gives none).</summary>
    public sealed record Package(byte[] Content, string? IndexDigest, Uri Source);

    public async Task<Package> DownloadAsync(string name, string repository, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.StartsWith("oci://", StringComparison.Ordinal)) return await PullOciAsync(name, repository, version, cancellationToken).ConfigureAwait(false);

        var baseUri = new Uri(repository.TrimEnd('/') + "/");
        var indexUri = new Uri(baseUri, "index.yaml");
        string index;
        try
        {
            index = await http.GetStringAsync(indexUri, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HelmException($"could not read {indexUri}: {ex.Message}");
        }
        var (url, digest) = FindEntry(index, name, version)
            ?? throw new HelmException($"{indexUri} has no chart '{name}' at version {version}");
        var packageUri = new Uri(baseUri, url);
        try
        {
            var bytes = await http.GetByteArrayAsync(packageUri, cancellationToken).ConfigureAwait(false);
            return new Package(bytes, digest is null ? null : "sha256:" + digest.ToLowerInvariant(), packageUri);
        }
        catch (HttpRequestException ex)
        {
            throw new HelmException($"could not download {packageUri}: {ex.Message}");
        }
    }

    /// <summary>The first URL and the digest of <paramref name="name"/> <paramref name="version"/> in a repository index.</summary>
    public static (string Url, string? Digest)? FindEntry(string indexYaml, string name, string version)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(indexYaml)) stream.Load(reader);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return null;
        if (!root.Children.TryGetValue(new YamlScalarNode("entries"), out var e) || e is not YamlMappingNode entries) return null;
        if (!entries.Children.TryGetValue(new YamlScalarNode(name), out var l) || l is not YamlSequenceNode list) return null;
        foreach (var item in list.Children.OfType<YamlMappingNode>())
        {
            string? Field(string key) => item.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
            if (Field("version") != version) continue;
            if (!item.Children.TryGetValue(new YamlScalarNode("urls"), out var u) || u is not YamlSequenceNode urls
                || urls.Children.FirstOrDefault() is not YamlScalarNode { Value: { Length: > 0 } url })
            {
                return null;
            }
            return (url, Field("digest"));
        }
        return null;
    }

    private async Task<Package> PullOciAsync(string name, string repository, string version, CancellationToken cancellationToken)
    {
        if (helm is null) throw new HelmException($"pulling {repository}/{name} needs helm (OCI registries are read through `helm pull`); {HelmBinary.MissingMessage}");
        var dir = Directory.CreateTempSubdirectory("llmctl-pull-");
        try
        {
            var reference = $"{repository.TrimEnd('/')}/{name}";
            await helm.RunAsync(["pull", reference, "--version", version, "--destination", dir.FullName], cancellationToken).ConfigureAwait(false);
            var file = Directory.EnumerateFiles(dir.FullName, "*.tgz").SingleOrDefault()
                ?? throw new HelmException($"helm pull {reference} --version {version} wrote no package");
            return new Package(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false), null, new Uri(reference));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
