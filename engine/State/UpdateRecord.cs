using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Engine.State;

/// <summary>
/// One entry of a stack's history (Pulumi's <c>UpdateInfo</c>): what ran (<see cref="Kind"/>: <c>update</c>,
/// <c>refresh</c>, <c>destroy</c>, or <c>import</c> for <c>stack import</c>), when, how it ended, and how many resources
/// each operation touched. Holds no config and no property value, so nothing secret.
/// </summary>
public sealed record UpdateRecord
{
    public const string Update = "update";
    public const string Refresh = "refresh";
    public const string Destroy = "destroy";
    public const string Import = "import";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>1 for the stack's first update, counting up; assigned by the backend when the record is appended.</summary>
    public int Version { get; init; }
    public required string Kind { get; init; }
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset EndTime { get; init; }
    /// <summary><see cref="Succeeded"/> or <see cref="Failed"/>.</summary>
    public required string Result { get; init; }
    /// <summary>What happened, in a few words (the failure, or the file a checkpoint was imported from).</summary>
    public string Message { get; init; } = "";
    /// <summary>Resources per operation (<c>{"create": 2, "same": 10}</c>), as Pulumi's <c>resourceChanges</c>.</summary>
    public IReadOnlyDictionary<string, int> ResourceChanges { get; init; } = new Dictionary<string, int>();

    /// <summary>The record as Pulumi's <c>stack history --json</c> writes an update.</summary>
    public JsonObject ToJson() => new()
    {
        ["version"] = Version,
        ["kind"] = Kind,
        ["startTime"] = ResourceV3Json.FormatTime(StartTime),
        ["message"] = Message,
        ["result"] = Result,
        ["endTime"] = ResourceV3Json.FormatTime(EndTime),
        ["resourceChanges"] = new JsonObject(ResourceChanges.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
    };

    /// <exception cref="FormatException">The JSON is not a history record.</exception>
    public static UpdateRecord FromJson(JsonNode? node)
    {
        if (node is not JsonObject o) throw new FormatException("a history record must be a JSON object");
        string Text(string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"a history record has no '{key}'");
        var changes = new Dictionary<string, int>(StringComparer.Ordinal);
        if (o["resourceChanges"] is JsonObject rc)
        {
            foreach (var (op, count) in rc)
            {
                if (count is JsonValue c && c.TryGetValue<int>(out var n)) changes[op] = n;
            }
        }
        return new UpdateRecord
        {
            Version = o["version"] is JsonValue ver && ver.TryGetValue<int>(out var version) ? version : 0,
            Kind = Text("kind"),
            StartTime = ResourceV3Json.ParseTime(Text("startTime")),
            EndTime = ResourceV3Json.ParseTime(Text("endTime")),
            Result = Text("result"),
            Message = o["message"] is JsonValue m && m.TryGetValue<string>(out var message) ? message : "",
            ResourceChanges = changes,
        };
    }

    /// <summary>The record as an indented JSON document (a file backend's history file).</summary>
    public byte[] ToUtf8Json() => System.Text.Encoding.UTF8.GetBytes(ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
