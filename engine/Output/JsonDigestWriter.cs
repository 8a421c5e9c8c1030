using System.Buffers;
using System.Collections.ObjectModel;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Output;

/// <summary>What goes into the <c>preview --json</c> digest besides the plan.</summary>
public sealed record JsonDigestOptions
{
    /// <summary>Stack config by <c>namespace:key</c>; a secret-wrapped value is written as <c>[secret]</c>.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Config { get; init; } = ReadOnlyDictionary<string, JsonNode?>.Empty;
    public TimeSpan Duration { get; init; }
    public IReadOnlyList<Violation> PolicyViolations { get; init; } = [];
    public IReadOnlyDictionary<string, string> PolicyPackVersions { get; init; } = ReadOnlyDictionary<string, string>.Empty;
    /// <summary>When set, <c>policyPacks</c> lists every pack and policy with its level and whether it passed.</summary>
    public PolicyReport? PolicyReport { get; init; }
}

/// <summary>
/// Pulumi's <c>PreviewDigest</c> (<c>sdk/go/common/display/json.go</c>): <c>config</c>, <c>steps</c> (<c>op</c>,
/// <c>urn</c>, <c>provider</c>, <c>oldState</c>, <c>newState</c>, <c>diffReasons</c>, <c>replaceReasons</c>,
/// <c>detailedDiff</c>), <c>diagnostics</c>, <c>duration</c> (ns), <c>changeSummary</c>, plus <c>policyViolations</c>
/// shaped like Pulumi's <c>PolicyEvent</c>. States are ResourceV3 objects with secrets as <c>[secret]</c> and
/// unknowns as <c>[known after apply]</c>: never plain text, never ciphertext. Keys in a fixed order, indented.
/// </summary>
public static class JsonDigestWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter writer, Plan plan, JsonDigestOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        // Written out as it is made, a step at a time: a 10,000-resource digest is tens of megabytes, never held whole.
        var output = new Utf8Chunks(writer);
        using (var w = new Utf8JsonWriter(output.Buffer, WriterOptions))
        {
            Write(w, plan, options, () => output.DrainIfFull(w));
            w.Flush();
        }
        output.Drain(final: true);
        writer.WriteLine();
    }

    /// <summary>UTF-8 from the JSON writer, decoded into the text writer in chunks (a character split across two chunks decodes whole).</summary>
    private sealed class Utf8Chunks(TextWriter writer)
    {
        private const int ChunkBytes = 64 * 1024;
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly char[] _chars = new char[ChunkBytes + 4];

        public ArrayBufferWriter<byte> Buffer { get; } = new(ChunkBytes * 2);

        public void DrainIfFull(Utf8JsonWriter w)
        {
            if (Buffer.WrittenCount + w.BytesPending < ChunkBytes) return;
            w.Flush();
            Drain(final: false);
        }

        public void Drain(bool final)
        {
            var bytes = Buffer.WrittenSpan;
            while (true)
            {
                var take = Math.Min(bytes.Length, ChunkBytes);
                _decoder.Convert(bytes[..take], _chars, final && take == bytes.Length, out var used, out var produced, out _);
                if (produced > 0) writer.Write(_chars, 0, produced);
                bytes = bytes[used..];
                if (bytes.IsEmpty) break;
            }
            Buffer.ResetWrittenCount();
        }
    }

    private static void Write(Utf8JsonWriter w, Plan plan, JsonDigestOptions options, Action afterStep)
    {
        w.WriteStartObject();

        w.WriteStartObject("config");
        foreach (var (key, value) in options.Config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // Pulumi's digest maps keys to strings; structured values are their JSON text.
            w.WriteString(key, value switch
            {
                _ when PropertyValues.ContainsSecrets(value) => PropertyValues.SecretDisplay,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                null => "null",
                _ => value.ToJsonString(),
            });
        }
        w.WriteEndObject();

        w.WriteStartArray("steps");
        foreach (var step in plan.Shown)
        {
            WriteStep(w, plan, step);
            afterStep();
        }
        w.WriteEndArray();

        w.WriteStartArray("diagnostics");
        foreach (var d in StepText.Diagnostics(plan))
        {
            w.WriteStartObject();
            if (d.Urn is { } urn) w.WriteString("urn", urn.Value);
            w.WriteString("prefix", StepText.Severity(d.Severity) + ": ");
            w.WriteString("message", d.Message);
            w.WriteString("severity", StepText.Severity(d.Severity));
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteNumber("duration", options.Duration.Ticks * 100);

        w.WriteStartObject("changeSummary");
        foreach (var (op, count) in plan.ChangeSummary) w.WriteNumber(op.Json(), count);
        w.WriteEndObject();

        w.WriteStartArray("policyViolations");
        foreach (var v in StepText.Shown(options.PolicyViolations))
        {
            w.WriteStartObject();
            w.WriteString("policyPackName", v.PackName);
            if (options.PolicyPackVersions.TryGetValue(v.PackName, out var version)) w.WriteString("policyPackVersion", version);
            w.WriteString("policyName", v.PolicyName);
            w.WriteString("enforcementLevel", StepText.Enforcement(v.Enforcement));
            w.WriteString("message", v.Message);
            if (v.Urn is { } urn) w.WriteString("resourceUrn", urn.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        if (options.PolicyReport is { } report)
        {
            w.WriteStartArray("policyPacks");
            foreach (var pack in report.Packs)
            {
                w.WriteStartObject();
                w.WriteString("name", pack);
                w.WriteString("version", report.Policies.First(p => p.PackName == pack).PackVersion);
                w.WriteStartArray("policies");
                foreach (var run in report.Policies.Where(p => p.PackName == pack))
                {
                    w.WriteStartObject();
                    w.WriteString("name", run.Policy.Name);
                    w.WriteString("enforcementLevel", StepText.Enforcement(run.Level));
                    var found = report.Violations.Where(v => v.PackName == pack && v.PolicyName == run.Policy.Name).ToList();
                    w.WriteString("result", run.Level == EnforcementLevel.Disabled ? "disabled"
                        : found.Any(v => v.Enforcement == EnforcementLevel.Mandatory) ? "mandatory"
                        : found.Count > 0 ? "advisory" : "passed");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteStep(Utf8JsonWriter w, Plan plan, Step step)
    {
        w.WriteStartObject();
        w.WriteString("op", step.Op.Json());
        w.WriteString("urn", step.Urn.Value);
        if (step.State.Provider is { } provider)
        {
            // Pulumi's form, <provider urn>::<id>; the id is Pulumi's unknown sentinel while the provider is yet to be created.
            w.WriteString("provider", provider);
        }
        else if (step.State.Custom && !ProviderResource.IsProviderType(step.Type))
        {
            // A package without provider resources (command, tailscale): its resources run on the package's provider.
            w.WriteString("provider", $"urn:pulumi:{plan.Stack}::{plan.Project}::pulumi:providers:{TypeToken.Package(step.Type)}::default");
        }
        if (step.Old is { } old)
        {
            w.WritePropertyName("oldState");
            ResourceV3Json.Write(w, old, WriteRedacted);
        }
        if (step.New is { } @new)
        {
            w.WritePropertyName("newState");
            ResourceV3Json.Write(w, @new, WriteRedacted);
        }
        WriteStrings(w, "diffReasons", step.DiffReasons);
        WriteStrings(w, "replaceReasons", step.ReplaceReasons);
        if (step.DetailedDiff.Count > 0)
        {
            w.WriteStartObject("detailedDiff");
            foreach (var diff in step.DetailedDiff)
            {
                w.WriteStartObject(diff.Path);
                w.WriteString("kind", diff.Kind.Json());
                w.WriteBoolean("inputDiff", diff.InputDiff);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var value in values) w.WriteStringValue(value);
        w.WriteEndArray();
    }

    /// <summary>Writes a property tree with secrets as <c>[secret]</c> and unknowns as <c>[known after apply]</c>, without copying it.</summary>
    private static void WriteRedacted(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.WriteNullValue();
                break;
            case var _ when PropertyValues.IsSecret(node):
                w.WriteStringValue(PropertyValues.SecretDisplay);
                break;
            case var _ when PropertyValues.IsUnknown(node) || PropertyValues.IsOutputPlaceholder(node):
                w.WriteStringValue(PropertyValues.UnknownDisplay);
                break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (key, value) in o)
                {
                    w.WritePropertyName(key);
                    WriteRedacted(w, value);
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var item in a) WriteRedacted(w, item);
                w.WriteEndArray();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }
}
