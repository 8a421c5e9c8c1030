using Llmctl.Engine.State;

namespace Llmctl.Engine.Tests.State;

public sealed class HistoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmctl-history-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static UpdateRecord Record(string kind, string result = UpdateRecord.Succeeded) => new()
    {
        Kind = kind,
        StartTime = new DateTimeOffset(2026, 12, 1, 13, 0, 0, TimeSpan.Zero),
        EndTime = new DateTimeOffset(2026, 12, 1, 13, 0, 42, TimeSpan.Zero),
        Result = result,
        ResourceChanges = new Dictionary<string, int> { ["create"] = 2, ["same"] = 5 },
    };

    [Fact]
    public async Task The_file_backend_numbers_each_record_and_lists_them_newest_first()
    {
        var backend = new FileBackend(_root);
        Assert.Empty(await backend.HistoryAsync("llm-platform", "homelab", _ct));

        Assert.Equal(1, (await backend.AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Update), _ct)).Version);
        Assert.Equal(2, (await backend.AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Refresh), _ct)).Version);
        await backend.AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Destroy, UpdateRecord.Failed), _ct);

        var history = await backend.HistoryAsync("llm-platform", "homelab", _ct);
        Assert.Equal([3, 2, 1], history.Select(r => r.Version));
        Assert.Equal([UpdateRecord.Destroy, UpdateRecord.Refresh, UpdateRecord.Update], history.Select(r => r.Kind));
        Assert.Equal(UpdateRecord.Failed, history[0].Result);
        Assert.Equal(2, history[2].ResourceChanges["create"]);
        Assert.Equal(TimeSpan.FromSeconds(42), history[2].EndTime - history[2].StartTime);
        Assert.True(File.Exists(Path.Combine(_root, ".pulumi", "history", "llm-platform", "homelab", "homelab-000001.history.json")));
        Assert.Empty(await backend.HistoryAsync("llm-platform", "other", _ct));
    }

    [Fact]
    public async Task Removing_a_stack_removes_its_history_and_a_backup_copies_the_checkpoint()
    {
        var backend = new FileBackend(_root);
        await backend.SaveAsync(Checkpoints.WithSecret(), new FakeCrypter(), _ct);
        await backend.AppendHistoryAsync("llm-platform", "homelab", Record(UpdateRecord.Update), _ct);

        var backup = await backend.BackupAsync("llm-platform", "homelab", _ct);
        Assert.NotNull(backup);
        Assert.Equal(File.ReadAllBytes(backend.CheckpointPath("llm-platform", "homelab")), File.ReadAllBytes(backup));
        Assert.StartsWith(Path.Combine(_root, ".pulumi", "backups", "llm-platform", "homelab"), backup, StringComparison.Ordinal);

        await backend.RemoveAsync("llm-platform", "homelab", _ct);
        Assert.Empty(await backend.HistoryAsync("llm-platform", "homelab", _ct));
        Assert.False(await backend.ExistsAsync("llm-platform", "homelab", _ct));
        Assert.Null(await backend.BackupAsync("llm-platform", "homelab", _ct));
    }

    [Fact]
    public void A_record_round_trips_through_pulumis_json_fields()
    {
        var json = Record(UpdateRecord.Import) with { Version = 7, Message = "imported from x.json" };
        var node = json.ToJson();
        Assert.Equal(["version", "kind", "startTime", "message", "result", "endTime", "resourceChanges"], node.Select(kv => kv.Key));
        Assert.Equal("2026-12-01T13:00:00Z", node["startTime"]!.GetValue<string>());
        var back = UpdateRecord.FromJson(node);
        Assert.Equal(json.Kind, back.Kind);
        Assert.Equal(7, back.Version);
        Assert.Equal(json.ResourceChanges, back.ResourceChanges);
        Assert.Throws<FormatException>(() => UpdateRecord.FromJson(new System.Text.Json.Nodes.JsonObject { ["kind"] = "update" }));
    }
}
