using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.State;

/// <summary>
/// Writes and reads one <see cref="ResourceState"/> as Pulumi's <c>ResourceV3</c>, in Pulumi's field order
/// (<c>sdk/go/common/apitype/core.go</c>). <c>urn</c>, <c>custom</c> and <c>type</c> are always written; every other
/// field is left out when empty or default. Property values pass through <c>writeValue</c> so the caller decides
/// what a secret becomes: ciphertext on disk, <c>[secret]</c> in a digest.
/// </summary>
internal static class ResourceV3Json
{
    public delegate void ValueWriter(Utf8JsonWriter writer, JsonNode? node);

    public static void Write(Utf8JsonWriter w, ResourceState r, ValueWriter writeValue)
    {
        w.WriteStartObject();
        w.WriteString("urn", r.Urn.Value);
        w.WriteBoolean("custom", r.Custom);
        if (!string.IsNullOrEmpty(r.Id)) w.WriteString("id", r.Id);
        w.WriteString("type", r.Type);
        if (r.Inputs.Count > 0)
        {
            w.WritePropertyName("inputs");
            writeValue(w, r.Inputs);
        }
        if (r.Outputs.Count > 0)
        {
            w.WritePropertyName("outputs");
            writeValue(w, r.Outputs);
        }
        if (r.Parent is { } parent) w.WriteString("parent", parent.Value);
        if (r.Protect) w.WriteBoolean("protect", true);
        WriteUrns(w, "dependencies", r.Dependencies);
        WriteStrings(w, "initErrors", r.InitErrors);
        if (!string.IsNullOrEmpty(r.Provider)) w.WriteString("provider", r.Provider);
        if (r.PendingReplacement) w.WriteBoolean("pendingReplacement", true);
        WriteStrings(w, "additionalSecretOutputs", r.AdditionalSecretOutputs);
        WriteUrns(w, "aliases", r.Aliases);
        if (r.CustomTimeouts is { } t && (t.Create ?? t.Update ?? t.Delete) is not null)
        {
            // Pulumi records custom timeouts as float seconds.
            w.WriteStartObject("customTimeouts");
            if (t.Create is { } c) w.WriteNumber("create", c.TotalSeconds);
            if (t.Update is { } u) w.WriteNumber("update", u.TotalSeconds);
            if (t.Delete is { } d) w.WriteNumber("delete", d.TotalSeconds);
            w.WriteEndObject();
        }
        if (r.RetainOnDelete) w.WriteBoolean("retainOnDelete", true);
        if (r.DeleteBeforeReplace) w.WriteBoolean("deleteBeforeReplace", true);
        if (r.Created is { } created) w.WriteString("created", FormatTime(created));
        if (r.Modified is { } modified) w.WriteString("modified", FormatTime(modified));
        WriteStrings(w, "ignoreChanges", r.IgnoreChanges);
        WriteStrings(w, "replaceOnChanges", r.ReplaceOnChanges);
        w.WriteEndObject();
    }

    /// <summary>
    /// Reads a ResourceV3 object. <paramref name="o"/> is consumed: its <c>inputs</c> and <c>outputs</c> are detached
    /// and handed to the state as they are (after <paramref name="readValues"/> has rewritten them in place).
    /// </summary>
    public static ResourceState Read(JsonObject o, Func<JsonObject, string, JsonObject> readValues)
    {
        var urnText = RequireString(o, "urn");
        if (!Urn.TryParse(urnText, out var urn)) throw new FormatException($"'{urnText}' is not a valid URN");
        var type = RequireString(o, "type");
        return new ResourceState
        {
            Urn = urn,
            Type = type,
            Custom = GetBool(o, "custom"),
            Id = GetString(o, "id") is { Length: > 0 } id ? id : null,
            Inputs = readValues(Detach(o, "inputs"), $"{urnText} inputs"),
            Outputs = readValues(Detach(o, "outputs"), $"{urnText} outputs"),
            Parent = GetString(o, "parent") is { Length: > 0 } p ? ParseUrn(p) : null,
            Protect = GetBool(o, "protect"),
            Dependencies = GetStrings(o, "dependencies").Select(ParseUrn).ToArray(),
            InitErrors = GetStrings(o, "initErrors"),
            Provider = GetString(o, "provider") is { Length: > 0 } provider ? ParseProvider(provider) : null,
            PendingReplacement = GetBool(o, "pendingReplacement"),
            AdditionalSecretOutputs = GetStrings(o, "additionalSecretOutputs"),
            Aliases = GetStrings(o, "aliases").Select(ParseUrn).ToArray(),
            CustomTimeouts = ReadTimeouts(o["customTimeouts"]),
            RetainOnDelete = GetBool(o, "retainOnDelete"),
            DeleteBeforeReplace = GetBool(o, "deleteBeforeReplace"),
            Created = GetString(o, "created") is { Length: > 0 } c ? ParseTime(c) : null,
            Modified = GetString(o, "modified") is { Length: > 0 } m ? ParseTime(m) : null,
            IgnoreChanges = GetStrings(o, "ignoreChanges"),
            ReplaceOnChanges = GetStrings(o, "replaceOnChanges"),
        };
    }

    /// <summary>RFC 3339 in UTC, as Go's <c>time.Time</c> marshals (fraction only when there is one).</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses RFC 3339, including Go's nanosecond fractions (more digits than .NET's 7 are dropped).</summary>
    public static DateTimeOffset ParseTime(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = text[..(dot + 8)] + text[end..];
        }
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    private static void WriteUrns(Utf8JsonWriter w, string name, IReadOnlyList<Urn> urns)
    {
        if (urns.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var urn in urns) w.WriteStringValue(urn.Value);
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var value in values) w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static JsonObject Detach(JsonObject o, string key)
    {
        if (!o.TryGetPropertyValue(key, out var node) || node is null) return new JsonObject();
        if (node is not JsonObject obj) throw new FormatException($"'{key}' must be an object");
        o.Remove(key);
        return obj;
    }

    private static string ParseProvider(string value) =>
        ProviderReference.TryParse(value, out _) ? value : throw new FormatException($"provider '{value}' is not a provider reference (<provider urn>::<id>)");

    private static Urn ParseUrn(string value) =>
        Urn.TryParse(value, out var urn) ? urn : throw new FormatException($"'{value}' is not a valid URN");

    private static CustomTimeouts? ReadTimeouts(JsonNode? node)
    {
        if (node is not JsonObject t) return null;
        static TimeSpan? Seconds(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var s) && s > 0 ? TimeSpan.FromSeconds(s) : null;
        return new CustomTimeouts { Create = Seconds(t["create"]), Update = Seconds(t["update"]), Delete = Seconds(t["delete"]) };
    }

    private static string RequireString(JsonObject o, string key) =>
        GetString(o, key) is { Length: > 0 } s ? s : throw new FormatException($"a resource has no '{key}'");

    private static string? GetString(JsonObject o, string key) =>
        o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw new FormatException($"'{key}' must be a string"),
        };

    private static bool GetBool(JsonObject o, string key) =>
        o[key] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw new FormatException($"'{key}' must be true or false"),
        };

    private static string[] GetStrings(JsonObject o, string key) =>
        o[key] switch
        {
            null => [],
            JsonArray a => a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s)
                ? s : throw new FormatException($"'{key}' must hold strings")).ToArray(),
            _ => throw new FormatException($"'{key}' must be an array"),
        };
}
