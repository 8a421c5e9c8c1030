using System.Security.Cryptography;
using System.Text;

namespace Llmctl.Components.Command;

/// <summary>A content hash of a file or a directory tree (relative paths and bytes), <c>sha256:…</c>.</summary>
internal static class SourceHash
{
    public static string Of(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (File.Exists(path))
        {
            AppendFile(hash, path);
        }
        else if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                         .Select(f => Path.GetRelativePath(path, f).Replace('\\', '/'))
                         .Order(StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(file + "\0"));
                AppendFile(hash, Path.Combine(path, file));
            }
        }
        else
        {
            throw new FileNotFoundException($"CopyToRemote source '{path}' is neither a file nor a directory", path);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendFile(IncrementalHash hash, string file)
    {
        using var stream = File.OpenRead(file);
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer.AsSpan(0, read));
        hash.AppendData(BitConverter.GetBytes(stream.Length));
    }
}
