using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.State;

/// <summary>
/// Reads and writes a <see cref="StackCheckpoint"/> as Pulumi's deployment-v3 file:
/// <c>{"version": 3, "checkpoint": {"stack", "latest": {"manifest", "secrets_providers", "resources", "pending_operations"}}}</c>.
/// Secrets are <c>{sig, "value"}</c> in memory and <c>{sig, "ciphertext"}</c> on disk, the ciphertext being the
/// crypter's encryption of the value's JSON text (Pulumi's form). Plain text never reaches the file: a secret with
/// no crypter to encrypt it is an error.
/// </summary>
public static class CheckpointSerializer
{
    public const int DeploymentVersion = 3;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly string EngineVersion =
        "v" + (typeof(CheckpointSerializer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    private static readonly string Magic =
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(EngineVersion)));

    /// <summary>The checkpoint as UTF-8 JSON bytes.</summary>
    public static byte[] Serialize(StackCheckpoint checkpoint, ISecretCrypter? crypter)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, checkpoint, crypter);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the checkpoint to <paramref name="stream"/> (left open).</summary>
    public static void Serialize(Stream stream, StackCheckpoint checkpoint, ISecretCrypter? crypter)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        Write(writer, checkpoint, crypter);
    }

    public static void Write(Utf8JsonWriter writer, StackCheckpoint checkpoint, ISecretCrypter? crypter)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(checkpoint);
        writer.WriteStartObject();
        writer.WriteNumber("version", DeploymentVersion);
        writer.WriteStartObject("checkpoint");
        writer.WriteString("stack", checkpoint.Stack);
        writer.WritePropertyName("latest");
        WriteDeployment(writer, checkpoint, crypter);
        writer.WriteEndObject(); // checkpoint
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>
    /// The checkpoint as <c>pulumi stack export</c> writes it (Pulumi's <c>UntypedDeployment</c>):
    /// <c>{"version": 3, "deployment": {"manifest", "secrets_providers", "resources", "pending_operations"}}</c>, secrets
    /// encrypted through <paramref name="crypter"/>.
    /// </summary>
    public static byte[] SerializeExport(StackCheckpoint checkpoint, ISecretCrypter? crypter)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", DeploymentVersion);
            writer.WritePropertyName("deployment");
            WriteDeployment(writer, checkpoint, crypter);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads what <see cref="SerializeExport"/> writes (a file of <c>pulumi stack export</c>) for stack
    /// <paramref name="stack"/>; a checkpoint file (<c>{"version", "checkpoint"}</c>) is read too.
    /// </summary>
    /// <exception cref="CheckpointFormatException">Not JSON, not version 3, or not a deployment.</exception>
    public static StackCheckpoint DeserializeExport(ReadOnlySpan<byte> utf8Json, ISecretCrypter? crypter, string source, string project, string stack)
    {
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(utf8Json);
        }
        catch (JsonException ex)
        {
            throw new CheckpointFormatException($"{source} is not valid JSON: {ex.Message}", ex);
        }
        if (root is JsonObject doc && doc["checkpoint"] is null && doc["version"] is JsonValue)
        {
            if (doc["deployment"] is not JsonObject deployment)
            {
                throw new CheckpointFormatException($"{source} has no 'deployment' object: it is not the output of `stack export`");
            }
            doc.Remove("deployment");
            doc["checkpoint"] = new JsonObject { ["stack"] = stack, ["latest"] = deployment };
        }
        return FromNode(root, crypter, source, project);
    }

    private static void WriteDeployment(Utf8JsonWriter writer, StackCheckpoint checkpoint, ISecretCrypter? crypter)
    {
        var encoder = new SecretEncoder(checkpoint.Stack, crypter);
        writer.WriteStartObject();

        writer.WriteStartObject("manifest");
        writer.WriteString("time", ResourceV3Json.FormatTime(checkpoint.Time ?? DateTimeOffset.UtcNow));
        writer.WriteString("magic", Magic);
        writer.WriteString("version", EngineVersion);
        writer.WriteEndObject();

        if (checkpoint.SecretsSalt is { } salt)
        {
            writer.WriteStartObject("secrets_providers");
            writer.WriteString("type", "passphrase");
            writer.WriteStartObject("state");
            writer.WriteString("salt", salt);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteStartArray("resources");
        foreach (var resource in checkpoint.Resources)
        {
            encoder.Where = resource.Urn.Value;
            ResourceV3Json.Write(writer, resource, encoder.WriteValue);
        }
        writer.WriteEndArray();

        if (checkpoint.PendingOperations.Count > 0)
        {
            writer.WriteStartArray("pending_operations");
            foreach (var op in checkpoint.PendingOperations)
            {
                encoder.Where = op.Resource.Urn.Value;
                writer.WriteStartObject();
                writer.WritePropertyName("resource");
                ResourceV3Json.Write(writer, op.Resource, encoder.WriteValue);
                writer.WriteString("type", OperationName(op.Type));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }

        writer.WriteEndObject(); // the deployment
    }

    /// <summary>
    /// Reads a deployment-v3 file. <paramref name="source"/> names the file in error messages; the project comes
    /// from the resources' URNs, else from <paramref name="project"/>.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The JSON is malformed or not deployment version 3.</exception>
    /// <exception cref="SecretsProviderRequiredException">The file holds secrets and <paramref name="crypter"/> is null.</exception>
    public static StackCheckpoint Deserialize(ReadOnlySpan<byte> utf8Json, ISecretCrypter? crypter, string source, string? project = null)
    {
        JsonNode? root;
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        try
        {
            root = JsonNode.Parse(utf8Json);
        }
        catch (JsonException ex)
        {
            throw new CheckpointFormatException($"{source} is not valid JSON: {ex.Message}", ex);
        }
        return FromNode(root, crypter, source, project);
    }

    public static StackCheckpoint Deserialize(string json, ISecretCrypter? crypter, string source, string? project = null) =>
        Deserialize(Encoding.UTF8.GetBytes(json), crypter, source, project);

    private static StackCheckpoint FromNode(JsonNode? root, ISecretCrypter? crypter, string source, string? project)
    {
        if (root is not JsonObject doc) throw new CheckpointFormatException($"{source} is not a checkpoint: expected a JSON object");
        var version = doc["version"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : (int?)null;
        if (version != DeploymentVersion)
        {
            throw new CheckpointFormatException(
                $"{source} has deployment version {(version?.ToString() ?? "(none)")}; llmctl reads version {DeploymentVersion}");
        }
        if (doc["checkpoint"] is not JsonObject checkpoint || checkpoint["stack"] is not JsonValue stackValue
            || !stackValue.TryGetValue<string>(out var stack) || stack.Length == 0)
        {
            throw new CheckpointFormatException($"{source} has no 'checkpoint.stack'");
        }
        // Pulumi's project-scoped DIY stacks record "organization/<project>/<stack>".
        var qualified = stack.Split('/');
        stack = qualified[^1];
        if (qualified.Length == 3) project ??= qualified[1];

        var latest = checkpoint["latest"] as JsonObject;
        var decoder = new SecretDecoder(crypter, source);
        var resources = new List<ResourceState>();
        var pending = new List<PendingOperation>();
        DateTimeOffset? time = null;
        string? salt = null;
        try
        {
            if (latest?["manifest"]?["time"] is JsonValue t && t.TryGetValue<string>(out var timeText)) time = ResourceV3Json.ParseTime(timeText);
            if (latest?["secrets_providers"]?["state"]?["salt"] is JsonValue s && s.TryGetValue<string>(out var saltText)) salt = saltText;
            var i = 0;
            foreach (var node in AsArray(latest?["resources"], "resources"))
            {
                resources.Add(ReadResource(node, decoder, $"resources[{i++}]"));
            }
            i = 0;
            foreach (var node in AsArray(latest?["pending_operations"], "pending_operations"))
            {
                var where = $"pending_operations[{i++}]";
                if (node is not JsonObject op) throw new FormatException($"{where} must be an object");
                var type = op["type"] is JsonValue tv && tv.TryGetValue<string>(out var typeText) ? ParseOperation(typeText) : throw new FormatException($"{where} has no 'type'");
                pending.Add(new PendingOperation(ReadResource(op["resource"], decoder, where + ".resource"), type));
            }
        }
        catch (FormatException ex)
        {
            throw new CheckpointFormatException($"{source} is not a valid checkpoint: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex) when (ex is not SecretsProviderRequiredException)
        {
            throw new CheckpointFormatException($"{source} is not a valid checkpoint: {ex.Message}", ex);
        }

        project = resources.Count > 0 ? resources[0].Urn.Project : project;
        if (string.IsNullOrEmpty(project)) throw new CheckpointFormatException($"{source}: cannot tell which project the checkpoint belongs to");
        return new StackCheckpoint
        {
            Project = project,
            Stack = stack,
            Resources = resources,
            PendingOperations = pending,
            SecretsSalt = salt,
            Time = time,
        };
    }

    private static ResourceState ReadResource(JsonNode? node, SecretDecoder decoder, string where)
    {
        if (node is not JsonObject o) throw new FormatException($"{where} must be an object");
        try
        {
            return ResourceV3Json.Read(o, decoder.Decode);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{where}: {ex.Message}", ex);
        }
    }

    private static JsonArray AsArray(JsonNode? node, string name) => node switch
    {
        null => [],
        JsonArray a => a,
        _ => throw new FormatException($"'{name}' must be an array"),
    };

    private static string OperationName(PendingOperationType type) => type switch
    {
        PendingOperationType.Creating => "creating",
        PendingOperationType.Updating => "updating",
        PendingOperationType.Deleting => "deleting",
        PendingOperationType.Reading => "reading",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static PendingOperationType ParseOperation(string text) => text switch
    {
        "creating" => PendingOperationType.Creating,
        "updating" => PendingOperationType.Updating,
        "deleting" => PendingOperationType.Deleting,
        "reading" => PendingOperationType.Reading,
        _ => throw new FormatException($"unknown pending operation type '{text}'"),
    };

    /// <summary>Writes property values, encrypting each secret wrapper's value.</summary>
    private sealed class SecretEncoder(string stack, ISecretCrypter? crypter)
    {
        public string Where { get; set; } = "";

        private string Plaintext(JsonNode? value)
        {
            if (!PropertyValues.ContainsSecrets(value)) return value?.ToJsonString() ?? "null";
            using var buffer = new MemoryStream();
            using (var inner = new Utf8JsonWriter(buffer)) WriteValue(inner, value);
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        public void WriteValue(Utf8JsonWriter w, JsonNode? node)
        {
            switch (node)
            {
                case null:
                    w.WriteNullValue();
                    break;
                case JsonObject o when PropertyValues.IsSecret(o):
                    if (crypter is null)
                    {
                        throw new SecretsProviderRequiredException(
                            $"the checkpoint of stack '{stack}' holds a secret ({Where}) but no secrets provider is configured; "
                            + "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) so it can be encrypted. Nothing was written.");
                    }
                    w.WriteStartObject();
                    w.WriteString(PropertyValues.SigKey, PropertyValues.SecretSig);
                    // The plaintext is written by this encoder too, as Pulumi does: a secret inside a secret (an SSH
                    // key inside a secret connection) is encrypted in its own right and read back as a secret.
                    w.WriteString("ciphertext", crypter.Encrypt(Plaintext(o["value"])));
                    w.WriteEndObject();
                    break;
                case JsonObject o:
                    w.WriteStartObject();
                    foreach (var (key, value) in o)
                    {
                        w.WritePropertyName(key);
                        WriteValue(w, value);
                    }
                    w.WriteEndObject();
                    break;
                case JsonArray a:
                    w.WriteStartArray();
                    foreach (var item in a) WriteValue(w, item);
                    w.WriteEndArray();
                    break;
                default:
                    node.WriteTo(w);
                    break;
            }
        }
    }

    /// <summary>Rewrites on-disk secrets (<c>ciphertext</c>, or <c>plaintext</c> from an export) to the in-memory form, in place.</summary>
    private sealed class SecretDecoder(ISecretCrypter? crypter, string source)
    {
        public JsonObject Decode(JsonObject properties, string where)
        {
            Rewrite(properties, where);
            return properties;
        }

        private JsonNode? Rewrite(JsonNode? node, string where)
        {
            switch (node)
            {
                case JsonObject o when IsSecretOnDisk(o):
                    return new JsonObject { [PropertyValues.SigKey] = PropertyValues.SecretSig, ["value"] = Rewrite(Plaintext(o, where), where) };
                case JsonObject o:
                    foreach (var key in o.Select(kv => kv.Key).ToArray())
                    {
                        var child = o[key];
                        var rewritten = Rewrite(child, where);
                        if (!ReferenceEquals(child, rewritten)) o[key] = rewritten;
                    }
                    return o;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        var child = a[i];
                        var rewritten = Rewrite(child, where);
                        if (!ReferenceEquals(child, rewritten)) a[i] = rewritten;
                    }
                    return a;
                default:
                    return node;
            }
        }

        private static bool IsSecretOnDisk(JsonObject o) =>
            o.TryGetPropertyValue(PropertyValues.SigKey, out var sig) && sig is JsonValue v
            && v.TryGetValue<string>(out var s) && s == PropertyValues.SecretSig;

        private JsonNode? Plaintext(JsonObject secret, string where)
        {
            string json;
            if (secret["ciphertext"] is JsonValue c && c.TryGetValue<string>(out var ciphertext))
            {
                if (crypter is null)
                {
                    throw new SecretsProviderRequiredException(
                        $"{source} holds secrets ({where}) but no secrets provider is configured; "
                        + "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to read it");
                }
                try
                {
                    json = crypter.Decrypt(ciphertext);
                }
                catch (SecretDecryptionException ex)
                {
                    throw new SecretDecryptionException($"{source}: cannot decrypt a secret in {where}: {ex.Message}", ex);
                }
            }
            else if (secret["plaintext"] is JsonValue p && p.TryGetValue<string>(out var plaintext))
            {
                json = plaintext;
            }
            else
            {
                throw new FormatException($"a secret in {where} has neither 'ciphertext' nor 'plaintext'");
            }
            try
            {
                return JsonNode.Parse(json);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"a secret in {where} does not decrypt to JSON: {ex.Message}");
            }
        }
    }
}

/// <summary>
/// A checkpoint holds secrets but no secrets provider (passphrase) is available to encrypt or decrypt them.
/// Nothing is written in plain text instead.
/// </summary>
public sealed class SecretsProviderRequiredException(string message) : InvalidOperationException(message);
