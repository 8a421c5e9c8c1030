using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Tests.State;

public sealed class FileBackendTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "llmctl-state-" + Guid.NewGuid().ToString("N"));
    private readonly FileBackend _backend;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public FileBackendTests() => _backend = new FileBackend(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string StackDir => Path.Combine(_root, ".pulumi", "stacks", "llm-platform");

    [Fact]
    public async Task A_checkpoint_is_kept_in_pulumis_diy_layout()
    {
        await _backend.SaveAsync(Checkpoints.WithSecret(), new FakeCrypter(), _ct);

        Assert.True(File.Exists(Path.Combine(StackDir, "homelab.json")));
        Assert.Equal(Path.Combine(StackDir, "homelab.json"), _backend.CheckpointPath("llm-platform", "homelab"));
        Assert.Equal("file://" + _root, _backend.Url);
    }

    [Fact]
    public async Task A_saved_checkpoint_loads_back_with_its_secrets()
    {
        var crypter = new FakeCrypter();
        await _backend.SaveAsync(Checkpoints.WithSecret(), crypter, _ct);

        var loaded = await _backend.LoadAsync("llm-platform", "homelab", crypter, _ct);

        Assert.NotNull(loaded);
        Assert.Equal(2, loaded.Resources.Count);
        Assert.Equal(Checkpoints.Password, Model.PropertyValues.Unwrap(loaded.Resources[1].Inputs["stringData"]!["key"])!.GetValue<string>());
        Assert.DoesNotContain(Checkpoints.Password, await File.ReadAllTextAsync(_backend.CheckpointPath("llm-platform", "homelab"), _ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_a_stack_that_does_not_exist_gives_null()
    {
        Assert.Null(await _backend.LoadAsync("llm-platform", "nope", null, _ct));
    }

    [Fact]
    public async Task Saving_keeps_the_previous_checkpoint_as_bak_and_leaves_no_temp_files()
    {
        var crypter = new FakeCrypter();
        var first = Checkpoints.WithSecret();
        await _backend.SaveAsync(first, crypter, _ct);
        await _backend.SaveAsync(first with { Resources = [first.Resources[0]] }, crypter, _ct);

        Assert.Equal(["homelab.json", "homelab.json.bak"], Directory.GetFiles(StackDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var bak = CheckpointSerializer.Deserialize(await File.ReadAllBytesAsync(Path.Combine(StackDir, "homelab.json.bak"), _ct), crypter, "bak");
        Assert.Equal(2, bak.Resources.Count);
        Assert.Single((await _backend.LoadAsync("llm-platform", "homelab", crypter, _ct))!.Resources);
    }

    [Fact]
    public async Task A_save_that_cannot_encrypt_leaves_the_old_checkpoint_untouched()
    {
        var crypter = new FakeCrypter();
        await _backend.SaveAsync(Checkpoints.WithSecret(), crypter, _ct);
        var before = await File.ReadAllBytesAsync(_backend.CheckpointPath("llm-platform", "homelab"), _ct);

        await Assert.ThrowsAsync<SecretsProviderRequiredException>(() => _backend.SaveAsync(Checkpoints.WithSecret(), null, _ct));

        Assert.Equal(before, await File.ReadAllBytesAsync(_backend.CheckpointPath("llm-platform", "homelab"), _ct));
        Assert.Equal(["homelab.json"], Directory.GetFiles(StackDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Pending_operations_survive_a_save_and_load()
    {
        var crypter = new FakeCrypter();
        var checkpoint = Checkpoints.WithSecret();
        checkpoint = checkpoint with { PendingOperations = [new PendingOperation(checkpoint.Resources[1], PendingOperationType.Updating)] };

        await _backend.SaveAsync(checkpoint, crypter, _ct);
        var loaded = await _backend.LoadAsync("llm-platform", "homelab", crypter, _ct);

        var pending = Assert.Single(loaded!.PendingOperations);
        Assert.Equal(PendingOperationType.Updating, pending.Type);
        Assert.Equal(checkpoint.Resources[1].Urn, pending.Resource.Urn);
    }

    [Fact]
    public async Task A_corrupt_checkpoint_is_reported_with_its_path()
    {
        Directory.CreateDirectory(StackDir);
        var path = Path.Combine(StackDir, "homelab.json");
        await File.WriteAllTextAsync(path, "{ not json", _ct);

        var ex = await Assert.ThrowsAsync<CheckpointFormatException>(() => _backend.LoadAsync("llm-platform", "homelab", null, _ct));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_makes_an_empty_stack_and_refuses_one_that_exists()
    {
        Assert.False(await _backend.ExistsAsync("llm-platform", "homelab", _ct));

        await _backend.CreateAsync("llm-platform", "homelab", _ct);

        Assert.True(await _backend.ExistsAsync("llm-platform", "homelab", _ct));
        Assert.Empty((await _backend.LoadAsync("llm-platform", "homelab", null, _ct))!.Resources);
        var ex = await Assert.ThrowsAsync<StackAlreadyExistsException>(() => _backend.CreateAsync("llm-platform", "homelab", _ct));
        Assert.Contains("homelab", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["homelab.json"], Directory.GetFiles(StackDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task List_names_each_stack_with_its_resource_count_and_remove_deletes_it()
    {
        var crypter = new FakeCrypter();
        await _backend.SaveAsync(Checkpoints.WithSecret(), crypter, _ct);
        await _backend.SaveAsync(Checkpoints.WithSecret(), crypter, _ct);
        await _backend.CreateAsync("llm-platform", "fleet", _ct);

        var stacks = await _backend.ListAsync("llm-platform", _ct);

        Assert.Equal(["fleet", "homelab"], stacks.Select(s => s.Stack));
        Assert.Equal([0, 2], stacks.Select(s => s.ResourceCount));
        Assert.Equal(Checkpoints.WithSecret().Time, stacks[1].LastUpdate);

        await _backend.RemoveAsync("llm-platform", "homelab", _ct);
        Assert.False(await _backend.ExistsAsync("llm-platform", "homelab", _ct));
        Assert.Equal(["fleet"], (await _backend.ListAsync("llm-platform", _ct)).Select(s => s.Stack));
        Assert.Empty(await _backend.ListAsync("other-project", _ct));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public async Task Stack_names_that_would_leave_the_state_folder_are_refused(string stack)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _backend.ExistsAsync("llm-platform", stack, _ct));
    }

    [Fact]
    public async Task Of_two_concurrent_lock_attempts_one_wins_and_the_other_names_the_holder()
    {
        using var start = new Barrier(2);
        var attempts = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            start.SignalAndWait(_ct);
            try
            {
                return (Lock: await _backend.LockAsync("llm-platform", "homelab", i == 0 ? "up" : "destroy", _ct), Error: (StackLockedException?)null);
            }
            catch (StackLockedException ex)
            {
                return (Lock: (IAsyncDisposable?)null, Error: ex);
            }
        }, _ct)).ToArray();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Lock is not null);
        var loser = Assert.Single(results, r => r.Error is not null);
        Assert.Equal(Environment.ProcessId, loser.Error!.Holder.Pid);
        Assert.Equal(Environment.UserName, loser.Error.Holder.User);
        Assert.Contains($"{Environment.UserName}@{Environment.MachineName}", loser.Error.Message, StringComparison.Ordinal);
        Assert.False(loser.Error.LooksStale);
        await winner.Lock!.DisposeAsync();
    }

    [Fact]
    public async Task A_lock_held_by_another_host_is_refused_at_once_naming_it()
    {
        await WriteLockAsync(host: "gpu-box", pid: 4242, operation: "up");

        var ex = await Assert.ThrowsAsync<StackLockedException>(() => _backend.LockAsync("llm-platform", "homelab", "preview", _ct));

        Assert.Equal(new LockHolder("ci", "gpu-box", 4242, "up", new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero)), ex.Holder);
        Assert.Contains("locked by ci@gpu-box (pid 4242), running 'up'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("llmctl stack unlock", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("stale", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lock_left_by_a_dead_process_on_this_host_is_taken_over_naming_the_old_holder()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync(_ct);
        await WriteLockAsync(host: Environment.MachineName, pid: gone.Id, operation: "up");

        await using var taken = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);

        var stackLock = Assert.IsAssignableFrom<IStackLock>(taken);
        Assert.Equal(new LockHolder("ci", Environment.MachineName, gone.Id, "up", new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero)), stackLock.TookOverFrom);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(_backend.LockPath("llm-platform", "homelab"), _ct))!;
        Assert.Equal(Environment.ProcessId, json["pid"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_lock_whose_pid_now_belongs_to_a_later_process_is_stale_too()
    {
        // This test process is alive, but it started after the lock's "since": the pid was reused, the holder is gone.
        await WriteLockAsync(host: Environment.MachineName, pid: Environment.ProcessId, operation: "up", since: "2000-01-01T00:00:00Z");

        await using var taken = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);

        Assert.NotNull(((IStackLock)taken).TookOverFrom);
    }

    [Fact]
    public async Task A_lock_held_by_a_live_process_on_this_host_is_refused_saying_it_still_runs()
    {
        using var alive = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            await WriteLockAsync(host: Environment.MachineName, pid: alive.Id, operation: "up", since: DateTimeOffset.UtcNow.AddSeconds(5).ToString("yyyy-MM-ddTHH:mm:ssZ"));

            var ex = await Assert.ThrowsAsync<StackLockedException>(() => _backend.LockAsync("llm-platform", "homelab", "up", _ct));

            Assert.True(ex.HolderAliveHere);
            Assert.False(ex.LooksStale);
            Assert.Contains("still running on this host", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            alive.Kill();
        }
    }

    [Fact]
    public async Task Of_many_runs_racing_for_one_stale_lock_exactly_one_takes_it()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync(_ct);
        await WriteLockAsync(host: Environment.MachineName, pid: gone.Id, operation: "up");
        using var start = new Barrier(6);
        var attempts = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait(_ct);
            try
            {
                return await new FileBackend(_root).LockAsync("llm-platform", "homelab", "up", _ct);
            }
            catch (StackLockedException)
            {
                return null;
            }
        }, _ct)).ToArray();

        var results = await Task.WhenAll(attempts);

        // The winners all share this process's pid, so "alive here" refuses the others: exactly one lock was handed out.
        var winner = Assert.Single(results, r => r is not null);
        await winner!.DisposeAsync();
    }

    [Fact]
    public async Task A_missing_checkpoint_beside_a_backup_with_resources_stops_naming_both_files_and_how_to_restore()
    {
        await _backend.SaveAsync(Checkpoints.WithSecret(), new FakeCrypter(), _ct);
        await _backend.SaveAsync(Checkpoints.WithSecret(), new FakeCrypter(), _ct);
        var path = _backend.CheckpointPath("llm-platform", "homelab");
        File.Delete(path);

        var ex = await Assert.ThrowsAsync<CheckpointLostException>(() => _backend.LoadAsync("llm-platform", "homelab", new FakeCrypter(), _ct));

        Assert.Contains(path + " is missing", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"cp '{path}.bak' '{path}'", ex.Message, StringComparison.Ordinal);
        Assert.True(await _backend.ExistsAsync("llm-platform", "homelab", _ct));
    }

    [Fact]
    public async Task An_empty_checkpoint_beside_a_backup_with_resources_stops_and_the_backup_is_left_alone()
    {
        await _backend.SaveAsync(Checkpoints.WithSecret(), new FakeCrypter(), _ct);
        await _backend.SaveAsync(Checkpoints.WithSecret(), new FakeCrypter(), _ct);
        var path = _backend.CheckpointPath("llm-platform", "homelab");
        var backup = await File.ReadAllBytesAsync(path + ".bak", _ct);
        await File.WriteAllTextAsync(path, """{"version": 3, "checkpoint": {"stack": "homelab", "latest": {"manifest": {"time": "2026-03-01T09:00:00Z", "magic": "", "version": ""}, "resources": []}}}""", _ct);

        var ex = await Assert.ThrowsAsync<CheckpointLostException>(() => _backend.LoadAsync("llm-platform", "homelab", new FakeCrypter(), _ct));

        Assert.Contains("holds no resources, but its backup", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path + ".bak", ex.Message, StringComparison.Ordinal);
        Assert.Equal(backup, await File.ReadAllBytesAsync(path + ".bak", _ct));
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_is_a_state_write_error_and_nothing_is_half_written()
    {
        var crypter = new FakeCrypter();
        var first = Checkpoints.WithSecret();
        await _backend.SaveAsync(first, crypter, _ct);
        var path = _backend.CheckpointPath("llm-platform", "homelab");
        var before = await File.ReadAllBytesAsync(path, _ct);
        // Something in the way of the backup (works as root too, unlike a read-only file).
        Directory.CreateDirectory(path + ".bak");
        File.WriteAllText(Path.Combine(path + ".bak", "x"), "x");

        var ex = await Assert.ThrowsAsync<StateWriteException>(() => _backend.SaveAsync(first with { Resources = [first.Resources[0]] }, crypter, _ct));

        Assert.Contains($"cannot write the checkpoint {path}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was half-written", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path, _ct));
        Assert.Empty(Directory.EnumerateFiles(StackDir, "*.tmp"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_read_only_checkpoint_and_backup_do_not_break_later_saves()
    {
        var crypter = new FakeCrypter();
        var first = Checkpoints.WithSecret();
        await _backend.SaveAsync(first, crypter, _ct);
        var path = _backend.CheckpointPath("llm-platform", "homelab");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await _backend.SaveAsync(first, crypter, _ct);
        // The backup is now a copy of a mode-444 file; saving again must still rotate it.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path + ".bak"));

        await _backend.SaveAsync(first with { Resources = [first.Resources[0]] }, crypter, _ct);
        await _backend.SaveAsync(first, crypter, _ct);

        Assert.Equal(2, (await _backend.LoadAsync("llm-platform", "homelab", crypter, _ct))!.Resources.Count);
        Assert.Single((await new FileBackend(_root).ListAsync("llm-platform", _ct)));
    }

    [Fact]
    public async Task A_released_lock_can_be_taken_again()
    {
        var first = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);
        Assert.True(File.Exists(_backend.LockPath("llm-platform", "homelab")));

        await first.DisposeAsync();

        Assert.False(File.Exists(_backend.LockPath("llm-platform", "homelab")));
        await using var second = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);
    }

    [Fact]
    public async Task The_lock_file_records_who_holds_it()
    {
        await using var held = await _backend.LockAsync("llm-platform", "homelab", "destroy", _ct);

        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_root, ".pulumi", "locks", "llm-platform", "homelab.json"), _ct))!;

        Assert.Equal(["user", "host", "pid", "operation", "since"], json.AsObject().Select(kv => kv.Key));
        Assert.Equal("destroy", json["operation"]!.GetValue<string>());
        Assert.Equal(Environment.ProcessId, json["pid"]!.GetValue<int>());
    }

    [Fact]
    public async Task Force_unlock_removes_a_lock_and_the_old_holder_does_not_release_the_next_one()
    {
        var stale = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);

        await _backend.ForceUnlockAsync("llm-platform", "homelab", _ct);
        await using var next = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);
        await stale.DisposeAsync();

        Assert.True(File.Exists(_backend.LockPath("llm-platform", "homelab")));
        await Assert.ThrowsAsync<StackLockedException>(() => _backend.LockAsync("llm-platform", "homelab", "up", _ct));
    }

    [Fact]
    public async Task Force_unlock_of_an_unlocked_stack_does_nothing()
    {
        await _backend.ForceUnlockAsync("llm-platform", "homelab", _ct);
    }

    private async Task WriteLockAsync(string host, int pid, string operation, string since = "2026-03-01T09:00:00Z")
    {
        var path = _backend.LockPath("llm-platform", "homelab");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var json = $$"""{"user": "ci", "host": "{{host}}", "pid": {{pid}}, "operation": "{{operation}}", "since": "{{since}}"}""";
        await File.WriteAllTextAsync(path, json, Encoding.UTF8, _ct);
    }
}
