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
    public async Task A_lock_left_by_a_dead_process_on_this_host_is_called_stale()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync(_ct);
        await WriteLockAsync(host: Environment.MachineName, pid: gone.Id, operation: "up");

        var ex = await Assert.ThrowsAsync<StackLockedException>(() => _backend.LockAsync("llm-platform", "homelab", "up", _ct));

        Assert.True(ex.LooksStale);
        Assert.Contains("looks stale", ex.Message, StringComparison.Ordinal);
        Assert.Contains("llmctl stack unlock", ex.Message, StringComparison.Ordinal);
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

    private async Task WriteLockAsync(string host, int pid, string operation)
    {
        var path = _backend.LockPath("llm-platform", "homelab");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var json = $$"""{"user": "ci", "host": "{{host}}", "pid": {{pid}}, "operation": "{{operation}}", "since": "2026-03-01T09:00:00Z"}""";
        await File.WriteAllTextAsync(path, json, Encoding.UTF8, _ct);
    }
}
