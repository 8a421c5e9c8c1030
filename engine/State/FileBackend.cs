using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Engine.Config;

namespace Llmctl.Engine.State;

/// <summary>
/// Checkpoints in a folder, in Pulumi's DIY-backend layout: <c>&lt;root&gt;/.pulumi/stacks/&lt;project&gt;/&lt;stack&gt;.json</c>
/// with the previous one kept as <c>&lt;stack&gt;.json.bak</c>, and locks at
/// <c>&lt;root&gt;/.pulumi/locks/&lt;project&gt;/&lt;stack&gt;.json</c>. Writes go to a temp file in the same folder that is
/// flushed and renamed over the checkpoint, so a crash leaves the old checkpoint or the new one, never half of one.
/// </summary>
public sealed partial class FileBackend : IStateBackend
{
    public FileBackend(string? root = null)
    {
        Root = Path.GetFullPath(string.IsNullOrEmpty(root) ? DefaultRoot : root);
    }

    /// <summary><c>~/.llmctl</c>.</summary>
    public static string DefaultRoot =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".llmctl");

    /// <summary>The folder that holds <c>.pulumi/</c>.</summary>
    public string Root { get; }

    public string Url => "file://" + Root;

    public string CheckpointPath(string project, string stack) =>
        Path.Combine(Root, ".pulumi", "stacks", CheckName(project, "project"), CheckName(stack, "stack") + ".json");

    public string LockPath(string project, string stack) =>
        Path.Combine(Root, ".pulumi", "locks", CheckName(project, "project"), CheckName(stack, "stack") + ".json");

    public Task<bool> ExistsAsync(string project, string stack, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(CheckpointPath(project, stack)));

    public async Task CreateAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var path = CheckpointPath(project, stack);
        if (File.Exists(path)) throw new StackAlreadyExistsException(stack);
        var bytes = CheckpointSerializer.Serialize(StackCheckpoint.Empty(project, stack) with { Time = DateTimeOffset.UtcNow }, null);
        var temp = await WriteTempAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        try
        {
            // No overwrite: of two racing creates, one fails here.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new StackAlreadyExistsException(stack);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public async Task<StackCheckpoint?> LoadAsync(string project, string stack, ISecretCrypter? crypter, CancellationToken cancellationToken = default)
    {
        var path = CheckpointPath(project, stack);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return CheckpointSerializer.Deserialize(bytes, crypter, path, project);
    }

    public async Task SaveAsync(StackCheckpoint checkpoint, ISecretCrypter? crypter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var path = CheckpointPath(checkpoint.Project, checkpoint.Stack);
        // Serialize first: a secret that cannot be encrypted fails before any file is touched.
        var bytes = CheckpointSerializer.Serialize(checkpoint, crypter);
        var temp = await WriteTempAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(path)) File.Copy(path, path + ".bak", overwrite: true);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public Task<IReadOnlyList<StackSummary>> ListAsync(string project, CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(Root, ".pulumi", "stacks", CheckName(project, "project"));
        if (!Directory.Exists(dir)) return Task.FromResult<IReadOnlyList<StackSummary>>([]);
        var stacks = Directory.EnumerateFiles(dir)
            .Where(f => f.EndsWith(".json", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(f => Summarize(project, f))
            .ToArray();
        return Task.FromResult<IReadOnlyList<StackSummary>>(stacks);
    }

    public Task RemoveAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var path = CheckpointPath(project, stack);
        DeleteIfPresent(path);
        DeleteIfPresent(path + ".bak");
        return Task.CompletedTask;
    }

    public async Task<IAsyncDisposable> LockAsync(string project, string stack, string operation, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        var path = LockPath(project, stack);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var holder = new LockHolder(Environment.UserName, Environment.MachineName, Environment.ProcessId, operation, DateTimeOffset.UtcNow);
        var content = LockJson(holder);
        try
        {
            await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            var other = await ReadHolderAsync(path, cancellationToken).ConfigureAwait(false);
            var stale = other.Host == Environment.MachineName && !IsAlive(other.Pid);
            throw new StackLockedException(stack, other, path, stale);
        }
        return new FileLock(path, content);
    }

    public Task ForceUnlockAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        DeleteIfPresent(LockPath(project, stack));
        return Task.CompletedTask;
    }

    private static void DeleteIfPresent(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static async Task<string> WriteTempAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return temp;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static StackSummary Summarize(string project, string file)
    {
        var stack = Path.GetFileNameWithoutExtension(file);
        DateTimeOffset? lastUpdate = File.GetLastWriteTimeUtc(file);
        var count = 0;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (doc.RootElement.TryGetProperty("checkpoint", out var cp) && cp.TryGetProperty("latest", out var latest))
            {
                if (latest.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array)
                {
                    count = resources.GetArrayLength();
                }
                if (latest.TryGetProperty("manifest", out var manifest) && manifest.TryGetProperty("time", out var time)
                    && time.ValueKind == JsonValueKind.String)
                {
                    lastUpdate = ResourceV3Json.ParseTime(time.GetString()!);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException)
        {
            // A damaged checkpoint still lists; loading it reports what is wrong.
        }
        return new StackSummary(project, stack, lastUpdate, count, file);
    }

    private static byte[] LockJson(LockHolder holder) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["user"] = holder.User,
            ["host"] = holder.Host,
            ["pid"] = holder.Pid,
            ["operation"] = holder.Operation,
            ["since"] = ResourceV3Json.FormatTime(holder.Since),
        }, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The lock's holder; retried briefly because the winner may not have written it yet.</summary>
    private static async Task<LockHolder> ReadHolderAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var node = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
                return new LockHolder(
                    node!["user"]!.GetValue<string>(),
                    node["host"]!.GetValue<string>(),
                    node["pid"]!.GetValue<int>(),
                    node["operation"]!.GetValue<string>(),
                    ResourceV3Json.ParseTime(node["since"]!.GetValue<string>()));
            }
            catch (Exception ex) when (attempt < 10 && ex is JsonException or IOException or NullReferenceException or InvalidOperationException or FormatException)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or IOException or NullReferenceException or InvalidOperationException or FormatException)
            {
                return new LockHolder("unknown", "unknown", 0, "unknown", File.GetCreationTimeUtc(path));
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string CheckName(string value, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, what);
        if (!NamePattern().IsMatch(value))
        {
            throw new ArgumentException($"{what} name '{value}' may only hold letters, digits, '-', '_' and '.', and must not start with '.'", what);
        }
        return value;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    /// <summary>Releases the lock, unless it was forced away and someone else has taken it since.</summary>
    private sealed class FileLock(string path, byte[] content) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return ValueTask.CompletedTask;
            try
            {
                if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(content)) File.Delete(path);
            }
            catch (IOException)
            {
            }
            return ValueTask.CompletedTask;
        }
    }
}
