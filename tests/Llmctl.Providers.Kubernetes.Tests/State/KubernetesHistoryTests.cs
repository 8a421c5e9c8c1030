using System.Text;
using Llmctl.Engine.State;
using Llmctl.Providers.Kubernetes.State;
using Llmctl.Testing.Kubernetes;
using static Llmctl.Providers.Kubernetes.Tests.State.StateFixtures;

namespace Llmctl.Providers.Kubernetes.Tests.State;

/// <summary>The Kubernetes backend's history (a ConfigMap beside the stack's Secret) and its backups, against the fake API server.</summary>
public sealed class KubernetesHistoryTests : IAsyncLifetime
{
    private const string Name = "llmctl-llm-platform-homelab";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private FakeKubernetesServer _server = null!;
    private KubernetesBackend _backend = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _backend = Backend(_server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static UpdateRecord Record(string kind) => new()
    {
        Kind = kind,
        StartTime = new DateTimeOffset(2026, 12, 1, 13, 0, 0, TimeSpan.Zero),
        EndTime = new DateTimeOffset(2026, 12, 1, 13, 1, 0, TimeSpan.Zero),
        Result = UpdateRecord.Succeeded,
        ResourceChanges = new Dictionary<string, int> { ["create"] = 3 },
    };

    [Fact]
    public async Task Records_are_numbered_kept_in_a_labelled_configmap_and_listed_newest_first_by_any_backend()
    {
        Assert.Empty(await _backend.HistoryAsync("llm-platform", "homelab", _ct));
        await _backend.AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Update), _ct);
        // A second llmctl (another CI job) appends after the first.
        Assert.Equal(2, (await Backend(_server).AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Refresh), _ct)).Version);
        await _backend.AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Destroy), _ct);

        var history = await Backend(_server).HistoryAsync("llm-platform", "homelab", _ct);
        Assert.Equal([3, 2, 1], history.Select(r => r.Version));
        Assert.Equal([UpdateRecord.Destroy, UpdateRecord.Refresh, UpdateRecord.Update], history.Select(r => r.Kind));
        Assert.Equal(3, history[2].ResourceChanges["create"]);

        var map = _server.Get("ConfigMap", "llmctl-state", Name)!;
        Assert.Equal("llmctl", map["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Contains("\"kind\":\"refresh\"", map["data"]!["history.json"]!.GetValue<string>());
        Assert.Empty(await _backend.HistoryAsync("llm-platform", "other", _ct));
    }

    [Fact]
    public async Task Removing_the_stack_removes_its_history_and_a_backup_is_a_copy_of_its_secret_never_listed_as_a_stack()
    {
        var crypter = new FakeCrypter();
        await _backend.SaveAsync(WithSecret(), crypter, _ct);
        await _backend.AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Update), _ct);

        var backup = await _backend.BackupAsync("llm-platform", "homelab", _ct);
        Assert.NotNull(backup);
        Assert.StartsWith($"Secret llmctl-state/{Name}-backup-", backup, StringComparison.Ordinal);
        var copy = _server.Get("Secret", "llmctl-state", backup["Secret llmctl-state/".Length..])!;
        Assert.Equal(Encoding.UTF8.GetString(Data(_server.Get("Secret", "llmctl-state", Name), "checkpoint.json")!), Encoding.UTF8.GetString(Data(copy, "checkpoint.json")!));
        Assert.Equal(["homelab"], (await _backend.ListAsync("llm-platform", _ct)).Select(s => s.Stack));

        await _backend.RemoveAsync("llm-platform", "homelab", _ct);
        Assert.Null(_server.Get("ConfigMap", "llmctl-state", Name));
        Assert.Empty(await _backend.HistoryAsync("llm-platform", "homelab", _ct));
        Assert.Null(await _backend.BackupAsync("llm-platform", "homelab", _ct));
    }
}
