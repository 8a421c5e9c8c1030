using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Engine.Config;

namespace Llmctl.Engine.State;

/// <summary>
/// Checkpoints in a folder, in Pulumi's DIY-backend layout: <c>&lt;root&gt;/.pulumi/stacks/&lt;project&gt;/&lt;stack&gt;.json</c>
/// with the previous one kept as <c>&lt;stack&gt;.json.bak</c>, and locks at
/// <c>&lt;root&gt;/.pulumi/locks/&lt;project&gt;/&lt;stack&gt;.json</c>, and each update's record at
/// <c>&lt;root&gt;/.pulumi/history/&lt;project&gt;/&lt;stack&gt;/&lt;stack&gt;-&lt;version&gt;.history.json</c>. Writes go to a temp file in the same folder that is
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

    public Task<bool> ExistsAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var path = CheckpointPath(project, stack);
        // A backup without its checkpoint is a stack whose checkpoint was lost, not a free name.
        return Task.FromResult(File.Exists(path) || File.Exists(path + ".bak"));
    }

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
        var backup = path + ".bak";
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            if (ResourceCount(backup) is > 0 and var kept)
            {
                throw new CheckpointLostException($"the checkpoint {path} is missing, but its backup {backup} holds {kept} resource(s); "
                    + $"llmctl stops rather than treat the stack as new. To restore the last good state: cp '{backup}' '{path}'. "
                    + $"If those resources really are gone, delete the backup (rm '{backup}') and run again.");
            }
            return null;
        }
        var checkpoint = CheckpointSerializer.Deserialize(bytes, crypter, path, project);
        if (checkpoint.Resources.Count == 0 && checkpoint.PendingOperations.Count == 0 && ResourceCount(backup) is > 0 and var held)
        {
            throw new CheckpointLostException($"the checkpoint {path} holds no resources, but its backup {backup} holds {held}; "
                + $"llmctl stops rather than create everything again. To restore the last good state: cp '{backup}' '{path}'. "
                + $"If the stack really is empty (its resources were removed outside llmctl), delete the backup (rm '{backup}') and run again.");
        }
        return checkpoint;
    }

    /// <summary>
    /// Writes the new checkpoint beside the old one and renames it over; the old one becomes <c>.bak</c> the same way
    /// (a copy renamed over the backup, so a read-only backup never blocks a save). Any failure to write is a
    /// <see cref="StateWriteException"/> and leaves the checkpoint as it was.
    /// </summary>
    public async Task SaveAsync(StackCheckpoint checkpoint, ISecretCrypter? crypter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var path = CheckpointPath(checkpoint.Project, checkpoint.Stack);
        // Serialize first: a secret that cannot be encrypted fails before any file is touched.
        var bytes = CheckpointSerializer.Serialize(checkpoint, crypter);
        string? temp = null;
        var backupTemp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.bak.{Guid.NewGuid():N}.tmp");
        try
        {
            temp = await WriteTempAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            if (File.Exists(path))
            {
                File.Copy(path, backupTemp);
                File.Move(backupTemp, path + ".bak", overwrite: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StateWriteException($"cannot write the checkpoint {path}: {ex.Message}. Nothing was half-written: the file still holds "
                + "the state before this step. Fix the cause (free disk space, make the file and its folder writable, chattr -i) and run again.", ex);
        }
        finally
        {
            if (temp is not null) TryDelete(temp);
            TryDelete(backupTemp);
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
        var history = HistoryPath(project, stack);
        if (Directory.Exists(history)) Directory.Delete(history, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Copies the checkpoint to <c>&lt;root&gt;/.pulumi/backups/&lt;project&gt;/&lt;stack&gt;/&lt;stack&gt;.&lt;unix ms&gt;.json</c>
    /// (Pulumi's DIY layout), byte for byte.
    /// </summary>
    public Task<string?> BackupAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var path = CheckpointPath(project, stack);
        if (!File.Exists(path)) return Task.FromResult<string?>(null);
        var dir = Path.Combine(Root, ".pulumi", "backups", project, stack);
        try
        {
            Directory.CreateDirectory(dir);
            for (var stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(); ; stamp++)
            {
                var backup = Path.Combine(dir, $"{stack}.{stamp}.json");
                if (File.Exists(backup)) continue;
                File.Copy(path, backup);
                return Task.FromResult<string?>(backup);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StateWriteException($"cannot keep a backup of {path} in {dir}: {ex.Message}; nothing was changed", ex);
        }
    }

    /// <summary>The folder holding the stack's history records.</summary>
    public string HistoryPath(string project, string stack) =>
        Path.Combine(Root, ".pulumi", "history", CheckName(project, "project"), CheckName(stack, "stack"));

    /// <summary>
    /// Writes <c>&lt;stack&gt;-&lt;version&gt;.history.json</c> (zero-padded, so names sort in order), created exclusively:
    /// of two writers racing for one number, the second takes the next.
    /// </summary>
    public async Task<UpdateRecord> AppendHistoryAsync(string project, string stack, UpdateRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var dir = HistoryPath(project, stack);
        try
        {
            Directory.CreateDirectory(dir);
            for (var version = HistoryFiles(dir, stack).Select(f => f.Version).DefaultIfEmpty(0).Max() + 1; ; version++)
            {
                var stored = record with { Version = version };
                try
                {
                    await using var stream = new FileStream(Path.Combine(dir, $"{stack}-{version:D6}.history.json"), FileMode.CreateNew, FileAccess.Write, FileShare.None);
                    await stream.WriteAsync(stored.ToUtf8Json(), cancellationToken).ConfigureAwait(false);
                    return stored;
                }
                catch (IOException) when (File.Exists(Path.Combine(dir, $"{stack}-{version:D6}.history.json")))
                {
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StateWriteException($"cannot record the {record.Kind} in the history folder {dir}: {ex.Message}", ex);
        }
    }

    public Task<IReadOnlyList<UpdateRecord>> HistoryAsync(string project, string stack, CancellationToken cancellationToken = default)
    {
        var dir = HistoryPath(project, stack);
        if (!Directory.Exists(dir)) return Task.FromResult<IReadOnlyList<UpdateRecord>>([]);
        var records = new List<UpdateRecord>();
        foreach (var (file, version) in HistoryFiles(dir, stack).OrderByDescending(f => f.Version))
        {
            try
            {
                records.Add(UpdateRecord.FromJson(JsonNode.Parse(File.ReadAllBytes(file))) with { Version = version });
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
                throw new CheckpointFormatException($"{file} is not a history record: {ex.Message}", ex);
            }
        }
        return Task.FromResult<IReadOnlyList<UpdateRecord>>(records);
    }

    private static IEnumerable<(string File, int Version)> HistoryFiles(string dir, string stack)
    {
        var prefix = stack + "-";
        foreach (var file in Directory.EnumerateFiles(dir, "*.history.json"))
        {
            var name = Path.GetFileName(file);
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var number = name[prefix.Length..^".history.json".Length];
            if (int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)) yield return (file, version);
        }
    }

    /// <summary>
    /// Creates the lock file exclusively. A lock whose holder ran on this host and is no longer running is taken
    /// over (the returned lock names the old holder); one held by a live process here, or by another host, refuses.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(string project, string stack, string operation, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        var path = LockPath(project, stack);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var holder = new LockHolder(Environment.UserName, Environment.MachineName, Environment.ProcessId, operation, DateTimeOffset.UtcNow);
        var content = LockJson(holder);
        LockHolder? tookOverFrom = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
                return new FileLock(path, content, tookOverFrom);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
            var (other, otherBytes) = await ReadHolderAsync(path, cancellationToken).ConfigureAwait(false);
            var here = other.IsHere;
            var alive = other.IsAliveHere();
            if (!here || alive || attempt >= 5)
            {
                throw new StackLockedException(stack, other, path, looksStale: here && !alive, aliveHere: alive);
            }
            if (await RemoveStaleAsync(path, otherBytes, cancellationToken).ConfigureAwait(false)) tookOverFrom = other;
        }
    }

    /// <summary>
    /// Deletes the lock file if it still holds exactly <paramref name="stale"/>. Racing takeovers are serialised by an
    /// OS file lock on a guard file (released by the OS if its holder dies), so one run can never delete a lock another
    /// run has just taken.
    /// </summary>
    private static async Task<bool> RemoveStaleAsync(string path, byte[] stale, CancellationToken cancellationToken)
    {
        for (var wait = 0; ; wait++)
        {
            FileStream guard;
            try
            {
                guard = new FileStream(path + ".takeover", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (wait < 100)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await using (guard.ConfigureAwait(false))
            {
                byte[] now;
                try
                {
                    now = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (FileNotFoundException)
                {
                    return false;
                }
                if (!now.AsSpan().SequenceEqual(stale)) return false;
                File.Delete(path);
                return true;
            }
        }
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

    /// <summary>How many resources a checkpoint file holds, without decrypting it; null when absent or unreadable.</summary>
    private static int? ResourceCount(string file)
    {
        if (!File.Exists(file)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            return doc.RootElement.TryGetProperty("checkpoint", out var cp) && cp.TryGetProperty("latest", out var latest)
                && latest.ValueKind == JsonValueKind.Object && latest.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array
                ? resources.GetArrayLength()
                : 0;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
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
        System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["user"] = holder.User,
            ["host"] = holder.Host,
            ["pid"] = holder.Pid,
            ["operation"] = holder.Operation,
            ["since"] = ResourceV3Json.FormatTime(holder.Since),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The lock's holder and the file's bytes; retried briefly because the winner may not have written it yet.</summary>
    private static async Task<(LockHolder Holder, byte[] Bytes)> ReadHolderAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            byte[] bytes = [];
            try
            {
                bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                var node = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'));
                return (new LockHolder(
                    node!["user"]!.GetValue<string>(),
                    node["host"]!.GetValue<string>(),
                    node["pid"]!.GetValue<int>(),
                    node["operation"]!.GetValue<string>(),
                    ResourceV3Json.ParseTime(node["since"]!.GetValue<string>())), bytes);
            }
            catch (Exception ex) when (attempt < 10 && ex is JsonException or IOException or NullReferenceException or InvalidOperationException or FormatException)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or IOException or NullReferenceException or InvalidOperationException or FormatException)
            {
                return (new LockHolder("unknown", "unknown", 0, "unknown", File.GetCreationTimeUtc(path)), bytes);
            }
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
    private sealed class FileLock(string path, byte[] content, LockHolder? tookOverFrom) : IStackLock
    {
        private int _released;

        public LockHolder? TookOverFrom => tookOverFrom;

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
