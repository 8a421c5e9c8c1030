using Renci.SshNet;

namespace Llmctl.Providers.Command;

/// <summary>Uploads a file to a remote path, or a directory's contents into a remote directory (created as needed).</summary>
internal sealed class RemoteCopier(SftpClient sftp)
{
    public async Task<int> UploadAsync(string source, string remotePath, CancellationToken cancellationToken)
    {
        if (File.Exists(source))
        {
            await UploadFileAsync(source, remotePath, cancellationToken).ConfigureAwait(false);
            return 1;
        }
        if (!Directory.Exists(source))
        {
            throw new Engine.Providers.ProviderException($"source '{source}' is neither a file nor a directory");
        }
        await EnsureDirectoryAsync(remotePath, cancellationToken).ConfigureAwait(false);
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await EnsureDirectoryAsync(Join(remotePath, Path.GetRelativePath(source, dir)), cancellationToken).ConfigureAwait(false);
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await UploadFileAsync(file, Join(remotePath, Path.GetRelativePath(source, file)), cancellationToken).ConfigureAwait(false);
            count++;
        }
        return count;
    }

    private async Task UploadFileAsync(string local, string remote, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(local);
        // UploadFileAsync truncates an existing file, so an update replaces the content rather than appending.
        await sftp.UploadFileAsync(stream, remote, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureDirectoryAsync(string remote, CancellationToken cancellationToken)
    {
        var path = remote.StartsWith('/') ? "" : ".";
        foreach (var part in remote.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = path == "" ? "/" + part : $"{path}/{part}";
            if (!await sftp.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
            {
                await sftp.CreateDirectoryAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Join(string remoteDir, string relative) => remoteDir.TrimEnd('/') + "/" + relative.Replace('\\', '/');
}
