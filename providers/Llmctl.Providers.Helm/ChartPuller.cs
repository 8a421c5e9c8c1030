namespace Llmctl.Providers.Helm;

/// <summary>How one chart fared in <c>llmctl charts pull</c>.</summary>
public enum PullOutcome
{
    /// <summary>Downloaded and its digest equals the lock.</summary>
    Verified,
    /// <summary>The lock has no digest for it: cached, and shown as unlocked until <c>--update-lock</c> records the digest.</summary>
    Unlocked,
    /// <summary>The lock had no digest; <c>--update-lock</c> recorded the one downloaded.</summary>
    Locked,
    /// <summary>The download's digest differs from the lock (or from the repository's own index): refused, not cached.</summary>
    Refused,
    /// <summary>It could not be fetched at all.</summary>
    Failed,
}

public sealed record PullResult(string Name, string Repository, string Version, PullOutcome Outcome, string? Digest, string Message);

/// <summary>
/// Fetches the charts a stack uses into the <see cref="ChartCache"/>, verified against the <see cref="ChartLockFile"/>.
/// A mirror (one classic repository serving every chart, as an air-gapped Artifactory or a local
/// <c>helm repo index</c> folder does) replaces each chart's own repository for the download; the lock still keys by
/// the chart's own repository.
/// </summary>
public sealed class ChartPuller(ChartRepositoryClient client, ChartCache cache, ChartLockFile lockFile)
{
    public async Task<PullResult> PullAsync(string name, string repository, string version, bool updateLock, string? mirror, CancellationToken cancellationToken)
    {
        var entry = lockFile.Find(name, repository, version);
        ChartRepositoryClient.Package package;
        try
        {
            package = await client.DownloadAsync(name, mirror ?? repository, version, cancellationToken).ConfigureAwait(false);
        }
        catch (HelmException ex)
        {
            return new PullResult(name, repository, version, PullOutcome.Failed, null, ex.Message);
        }
        var digest = ChartCache.Digest(package.Content);
        if (package.IndexDigest is { } indexed && indexed != digest)
        {
            return new PullResult(name, repository, version, PullOutcome.Refused, digest,
                $"the download from {package.Source} has digest {digest}, but the repository's index says {indexed}; not cached");
        }
        if (entry?.Digest is { } locked && locked != digest)
        {
            return new PullResult(name, repository, version, PullOutcome.Refused, digest,
                $"digest {digest} differs from the lock ({locked}); not cached. If the new package is the one you want, check where it changed and set its digest in {ChartLockFile.DefaultFileName}");
        }
        var path = cache.PathFor(name, repository, version);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        await File.WriteAllBytesAsync(tmp, package.Content, cancellationToken).ConfigureAwait(false);
        File.Move(tmp, path, overwrite: true);

        if (entry?.Digest is not null) return new PullResult(name, repository, version, PullOutcome.Verified, digest, $"verified {digest}");
        if (updateLock)
        {
            lockFile.Set(new ChartLock(name, repository, version, digest, $"recorded by llmctl charts pull from {package.Source}"));
            return new PullResult(name, repository, version, PullOutcome.Locked, digest, $"locked at {digest}");
        }
        return new PullResult(name, repository, version, PullOutcome.Unlocked, digest,
            $"cached but UNLOCKED: {ChartLockFile.DefaultFileName} has no digest for it (downloaded {digest}); check it and run `llmctl charts pull --update-lock` to record it");
    }
}
