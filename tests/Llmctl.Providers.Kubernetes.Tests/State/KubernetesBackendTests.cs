using System.Text;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Providers.Kubernetes.State;
using Llmctl.Testing.Kubernetes;
using static Llmctl.Providers.Kubernetes.Tests.State.StateFixtures;

namespace Llmctl.Providers.Kubernetes.Tests.State;

public sealed class KubernetesBackendTests : IAsyncLifetime
{
    private const string SecretName = "llmctl-llm-platform-homelab";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private FakeKubernetesServer _server = null!;
    private KubernetesBackend _backend = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _backend = Backend(_server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_saved_checkpoint_loads_back_and_its_secret_stays_encrypted_inside_the_kubernetes_secret()
    {
        var crypter = new FakeCrypter();
        await _backend.SaveAsync(WithSecret(), crypter, _ct);

        var loaded = await Backend(_server).LoadAsync("llm-platform", "homelab", crypter, _ct);

        Assert.NotNull(loaded);
        Assert.Equal(2, loaded.Resources.Count);
        Assert.Equal(Password, SecretValue(loaded));
        var stored = _server.Get("Secret", "llmctl-state", SecretName);
        var json = Encoding.UTF8.GetString(Data(stored, "checkpoint.json")!);
        Assert.Contains("\"ciphertext\": \"v1:fake:", json, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, stored!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("kubernetes://llmctl-state", _backend.Url);
    }

    [Fact]
    public async Task The_secret_is_labelled_as_llmctls_and_its_namespace_is_created_on_first_write()
    {
        await _backend.SaveAsync(WithSecret(), new FakeCrypter(), _ct);

        var stored = _server.Get("Secret", "llmctl-state", SecretName)!;
        var labels = stored["metadata"]!["labels"]!;
        Assert.Equal("llmctl", labels["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal("llm-platform", labels["llmctl.io/project"]!.GetValue<string>());
        Assert.Equal("homelab", labels["llmctl.io/stack"]!.GetValue<string>());
        Assert.Equal("Opaque", stored["type"]!.GetValue<string>());
        Assert.NotNull(_server.Get("Namespace", null, "llmctl-state"));
    }

    [Fact]
    public async Task Loading_a_stack_that_does_not_exist_gives_null()
    {
        Assert.Null(await _backend.LoadAsync("llm-platform", "nope", null, _ct));
        Assert.False(await _backend.ExistsAsync("llm-platform", "nope", _ct));
    }

    [Fact]
    public async Task A_checkpoint_over_the_plain_limit_is_stored_gzip_compressed_and_loads_back()
    {
        var backend = Backend(_server, o => o with { PlainLimitBytes = 256 });
        var crypter = new FakeCrypter();
        await backend.SaveAsync(WithSecret(), crypter, _ct);

        var stored = _server.Get("Secret", "llmctl-state", SecretName);
        Assert.Null(Data(stored, "checkpoint.json"));
        var gz = Data(stored, "checkpoint.json.gz")!;
        Assert.Equal([0x1f, 0x8b], gz[..2]);
        Assert.Equal(Password, SecretValue((await Backend(_server).LoadAsync("llm-platform", "homelab", crypter, _ct))!));
    }

    [Fact]
    public async Task Create_makes_an_empty_stack_refuses_one_that_exists_and_remove_deletes_it()
    {
        await _backend.CreateAsync("llm-platform", "dev", _ct);

        Assert.True(await _backend.ExistsAsync("llm-platform", "dev", _ct));
        Assert.Empty((await _backend.LoadAsync("llm-platform", "dev", null, _ct))!.Resources);
        await Assert.ThrowsAsync<StackAlreadyExistsException>(() => Backend(_server).CreateAsync("llm-platform", "dev", _ct));

        await _backend.RemoveAsync("llm-platform", "dev", _ct);
        await _backend.RemoveAsync("llm-platform", "dev", _ct);
        Assert.False(await _backend.ExistsAsync("llm-platform", "dev", _ct));
    }

    [Fact]
    public async Task List_finds_the_projects_stacks_by_label_and_nothing_else()
    {
        var crypter = new FakeCrypter();
        await _backend.SaveAsync(WithSecret("prod"), crypter, _ct);
        await _backend.SaveAsync(WithSecret("homelab"), crypter, _ct);
        await _backend.SaveAsync(WithSecret("homelab") with { Project = "other-project" }, crypter, _ct);
        _server.Seed(new() { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "unrelated", ["namespace"] = "llmctl-state" } });

        var stacks = await _backend.ListAsync("llm-platform", _ct);

        Assert.Equal(["homelab", "prod"], stacks.Select(s => s.Stack));
        Assert.All(stacks, s => Assert.Equal(2, s.ResourceCount));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 30, 16, TimeSpan.Zero), stacks[0].LastUpdate);
        Assert.Equal($"Secret llmctl-state/{SecretName}", stacks[0].Location);
        Assert.Contains(_server.Requests, r => r.Method == "GET" && r.Path.EndsWith("/secrets", StringComparison.Ordinal)
            && Uri.UnescapeDataString(r.Query).Contains("labelSelector=app.kubernetes.io/managed-by=llmctl,llmctl.io/project=llm-platform", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Of_two_writers_that_read_the_same_version_the_second_to_save_is_refused_and_writes_nothing()
    {
        var crypter = new FakeCrypter();
        await _backend.SaveAsync(WithSecret(), crypter, _ct);
        var first = Backend(_server);
        var second = Backend(_server);
        var checkpoint = (await first.LoadAsync("llm-platform", "homelab", crypter, _ct))!;
        await second.LoadAsync("llm-platform", "homelab", crypter, _ct);

        await first.SaveAsync(checkpoint with { Resources = [checkpoint.Resources[0]] }, crypter, _ct);
        var e = await Assert.ThrowsAsync<CheckpointConflictException>(() => second.SaveAsync(checkpoint, crypter, _ct));

        Assert.Contains("changed by someone else", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", e.Message, StringComparison.Ordinal);
        Assert.Single((await Backend(_server).LoadAsync("llm-platform", "homelab", crypter, _ct))!.Resources);
        // The winner goes on saving from the version it wrote.
        await first.SaveAsync(checkpoint, crypter, _ct);
    }

    [Fact]
    public async Task A_writer_that_read_the_stack_as_absent_is_refused_when_another_created_it_first()
    {
        var crypter = new FakeCrypter();
        var late = Backend(_server);
        Assert.Null(await late.LoadAsync("llm-platform", "homelab", crypter, _ct));
        await _backend.SaveAsync(WithSecret(), crypter, _ct);

        await Assert.ThrowsAsync<CheckpointConflictException>(() => late.SaveAsync(WithSecret() with { Resources = [] }, crypter, _ct));
        Assert.Equal(2, (await _backend.LoadAsync("llm-platform", "homelab", crypter, _ct))!.Resources.Count);
    }

    [Fact]
    public async Task The_lease_records_who_holds_it_and_for_how_long()
    {
        await using var held = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);

        var lease = _server.Get("Lease", "llmctl-state", SecretName)!;
        Assert.Equal($"{Environment.UserName}@{Environment.MachineName}:{Environment.ProcessId}", lease["spec"]!["holderIdentity"]!.GetValue<string>());
        Assert.Equal(60, lease["spec"]!["leaseDurationSeconds"]!.GetValue<int>());
        Assert.NotNull(lease["spec"]!["acquireTime"]);
        Assert.Equal("up", lease["metadata"]!["annotations"]!["llmctl.io/lock-operation"]!.GetValue<string>());
        Assert.Equal("llmctl", lease["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_second_lock_while_the_lease_is_held_is_refused_at_once_naming_the_holder()
    {
        await using var held = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);

        var e = await Assert.ThrowsAsync<StackLockedException>(() => Backend(_server).LockAsync("llm-platform", "homelab", "preview", _ct));

        Assert.Equal((Environment.UserName, Environment.MachineName, Environment.ProcessId, "up"), (e.Holder.User, e.Holder.Host, e.Holder.Pid, e.Holder.Operation));
        Assert.False(e.LooksStale);
        Assert.Contains($"Lease llmctl-state/{SecretName}", e.Message, StringComparison.Ordinal);
        // The holder is this very process: alive on this host, so the message says it still runs (no unlock advice).
        Assert.True(e.HolderAliveHere);
        Assert.Contains("still running on this host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_the_lock_deletes_the_lease_so_the_stack_can_be_locked_again()
    {
        var held = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);
        await held.DisposeAsync();

        Assert.Null(_server.Get("Lease", "llmctl-state", SecretName));
        await using var again = await Backend(_server).LockAsync("llm-platform", "homelab", "up", _ct);
        Assert.NotNull(_server.Get("Lease", "llmctl-state", SecretName));
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_and_the_take_over_names_the_old_holder()
    {
        _server.Seed(Namespace("llmctl-state"));
        _server.Seed(Lease(SecretName, "ci@runner-7:4242", DateTimeOffset.UtcNow.AddMinutes(-5), annotations: new()
        {
            ["llmctl.io/lock-user"] = "ci", ["llmctl.io/lock-host"] = "runner-7", ["llmctl.io/lock-pid"] = "4242", ["llmctl.io/lock-operation"] = "up",
        }));
        var reports = new List<string>();
        using var route = OperationProgress.Route(reports.Add);

        await using var held = (KubernetesBackend.StackLease)await _backend.LockAsync("llm-platform", "homelab", "up", _ct);

        Assert.Equal(("ci", "runner-7", 4242, "up"), (held.TookOverFrom!.User, held.TookOverFrom.Host, held.TookOverFrom.Pid, held.TookOverFrom.Operation));
        Assert.Contains(reports, r => r.Contains("took over the expired lock", StringComparison.Ordinal) && r.Contains("ci@runner-7", StringComparison.Ordinal));
        var lease = _server.Get("Lease", "llmctl-state", SecretName)!;
        Assert.Equal(1, lease["spec"]!["leaseTransitions"]!.GetValue<int>());
        Assert.StartsWith(Environment.UserName + "@", lease["spec"]!["holderIdentity"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_lease_left_by_a_dead_process_of_this_host_is_taken_over_at_once_with_a_warning_naming_it()
    {
        using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync(_ct);
        var pid = gone.Id;
        _server.Seed(Namespace("llmctl-state"));
        // Renewed just now and good for a minute: only the holder's death lets the next run in before it expires.
        _server.Seed(Lease(SecretName, $"ci@{Environment.MachineName}:{pid}", DateTimeOffset.UtcNow, annotations: new()
        {
            ["llmctl.io/lock-user"] = "ci", ["llmctl.io/lock-host"] = Environment.MachineName,
            ["llmctl.io/lock-pid"] = pid.ToString(System.Globalization.CultureInfo.InvariantCulture), ["llmctl.io/lock-operation"] = "up",
        }));
        var reports = new List<string>();
        using var route = OperationProgress.Route(reports.Add);

        await using var held = (KubernetesBackend.StackLease)await _backend.LockAsync("llm-platform", "homelab", "up", _ct);

        Assert.Equal(("ci", Environment.MachineName, pid, "up"), (held.TookOverFrom!.User, held.TookOverFrom.Host, held.TookOverFrom.Pid, held.TookOverFrom.Operation));
        Assert.Contains(reports, r => r.StartsWith("warning: took over the lock of stack 'homelab'", StringComparison.Ordinal)
            && r.Contains($"(pid {pid}, 'up')", StringComparison.Ordinal) && r.Contains("no longer runs on this host", StringComparison.Ordinal));
        var lease = _server.Get("Lease", "llmctl-state", SecretName)!;
        Assert.Equal(1, lease["spec"]!["leaseTransitions"]!.GetValue<int>());
        Assert.Equal($"{Environment.UserName}@{Environment.MachineName}:{Environment.ProcessId}", lease["spec"]!["holderIdentity"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_fresh_lease_of_another_host_is_refused_even_when_a_local_process_has_its_pid_free()
    {
        using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync(_ct);
        _server.Seed(Namespace("llmctl-state"));
        _server.Seed(Lease(SecretName, $"ci@runner-7:{gone.Id}", DateTimeOffset.UtcNow));

        var e = await Assert.ThrowsAsync<StackLockedException>(() => _backend.LockAsync("llm-platform", "homelab", "up", _ct));

        Assert.Equal(("runner-7", gone.Id), (e.Holder.Host, e.Holder.Pid));
        Assert.False(e.HolderAliveHere);
    }

    [Fact]
    public async Task A_lease_written_by_another_tool_names_its_holder_from_the_holder_identity()
    {
        _server.Seed(Namespace("llmctl-state"));
        _server.Seed(Lease(SecretName, "ops@bastion:77", DateTimeOffset.UtcNow));

        var e = await Assert.ThrowsAsync<StackLockedException>(() => _backend.LockAsync("llm-platform", "homelab", "up", _ct));

        Assert.Equal(("ops", "bastion", 77), (e.Holder.User, e.Holder.Host, e.Holder.Pid));
    }

    [Fact]
    public async Task Force_unlock_deletes_the_lease_and_the_old_holder_does_not_release_the_next_one()
    {
        var old = await _backend.LockAsync("llm-platform", "homelab", "up", _ct);
        await _backend.ForceUnlockAsync("llm-platform", "homelab", _ct);
        await _backend.ForceUnlockAsync("llm-platform", "homelab", _ct);
        Assert.Null(_server.Get("Lease", "llmctl-state", SecretName));

        await using var next = await Backend(_server).LockAsync("llm-platform", "homelab", "refresh", _ct);
        await old.DisposeAsync();

        var lease = _server.Get("Lease", "llmctl-state", SecretName);
        Assert.Equal("refresh", lease!["metadata"]!["annotations"]!["llmctl.io/lock-operation"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_held_lease_is_renewed_in_the_background()
    {
        var backend = Backend(_server, o => o with { RenewInterval = TimeSpan.FromMilliseconds(20) });
        await using var held = (KubernetesBackend.StackLease)await backend.LockAsync("llm-platform", "homelab", "up", _ct);
        var first = _server.Get("Lease", "llmctl-state", SecretName)!["metadata"]!["resourceVersion"]!.GetValue<string>();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (held.Renewals < 2 && DateTime.UtcNow < deadline) await Task.Delay(10, _ct);

        Assert.True(held.Renewals >= 2, $"renewed {held.Renewals} times");
        Assert.NotEqual(first, _server.Get("Lease", "llmctl-state", SecretName)!["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.False(held.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_renewal_that_finds_the_lease_forced_away_marks_the_lock_lost()
    {
        var backend = Backend(_server, o => o with { RenewInterval = TimeSpan.FromMilliseconds(20) });
        await using var held = (KubernetesBackend.StackLease)await backend.LockAsync("llm-platform", "homelab", "up", _ct);

        await _backend.ForceUnlockAsync("llm-platform", "homelab", _ct);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!held.Lost.IsCancellationRequested && DateTime.UtcNow < deadline) await Task.Delay(10, _ct);
        Assert.True(held.Lost.IsCancellationRequested);
    }
}
