using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>One line of <c>llmctl config</c>: a key and its value as shown (secrets as <c>[secret]</c> unless revealed).</summary>
public sealed record ConfigListing(string Key, string Value, bool Secret);

/// <summary>
/// Edits <c>Pulumi.&lt;stack&gt;.yaml</c> for <c>llmctl config set/rm/get</c> and <c>stack init</c>, as Pulumi does.
/// Edits are targeted text splices: only the lines of the entry being set or removed are rewritten, new keys are
/// appended at the end of <c>config:</c>, so comments and layout elsewhere survive. A <c>--path</c> edit inside a
/// block-style entry touches only the changed scalar's text (or inserts/removes the lines of one key or list item), so
/// every comment in the entry survives and an edit followed by its revert gives back the same bytes. Only what cannot be
/// spliced (a flow-style value, a block scalar, a list emptied) re-renders the entry; a flow-style
/// <c>config: {…}</c> block is re-rendered in block style. Files are written atomically (temp file + rename).
/// </summary>
public static class StackFileEditor
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>A new stack file: <c>secretsprovider: passphrase</c> and, with a passphrase, its <c>encryptionsalt</c>.</summary>
    public static void Create(string stackFilePath, string? encryptionSalt)
    {
        ArgumentNullException.ThrowIfNull(stackFilePath);
        if (File.Exists(stackFilePath)) throw new IOException($"{stackFilePath} already exists");
        var text = "secretsprovider: passphrase\n" + (encryptionSalt is null ? "" : $"encryptionsalt: {Scalar(encryptionSalt)}\n");
        WriteAtomically(stackFilePath, text);
    }

    /// <summary>
    /// Records the stack's <c>encryptionsalt</c> (first secret of a stack created without a passphrase): replaces the
    /// existing line, or adds one after <c>secretsprovider:</c> (or at the top). Other lines are untouched.
    /// </summary>
    public static void SetEncryptionSalt(string stackFilePath, string encryptionSalt)
    {
        ArgumentException.ThrowIfNullOrEmpty(encryptionSalt);
        var lines = File.Exists(stackFilePath) ? File.ReadAllLines(stackFilePath).ToList() : [];
        var line = $"encryptionsalt: {Scalar(encryptionSalt)}";
        var existing = lines.FindIndex(l => l.StartsWith("encryptionsalt:", StringComparison.Ordinal));
        if (existing >= 0) lines[existing] = line;
        else
        {
            var provider = lines.FindIndex(l => l.StartsWith("secretsprovider:", StringComparison.Ordinal));
            if (provider < 0) lines.Insert(0, "secretsprovider: passphrase");
            lines.Insert(provider < 0 ? 1 : provider + 1, line);
        }
        WriteAtomically(stackFilePath, string.Join('\n', lines) + "\n");
    }

    /// <summary>
    /// Sets a key. With <paramref name="secure"/>, <paramref name="value"/> is the ciphertext and is written as
    /// <c>{secure: …}</c>. With <paramref name="path"/>, <paramref name="key"/> is a property path into a structured
    /// value, and <c>true</c>/<c>false</c> and integer-like values are stored as booleans and integers; without it,
    /// values are stored as strings. Creates the file when it does not exist.
    /// </summary>
    public static void Set(string stackFilePath, string projectName, string key, string value, bool secure, bool path)
    {
        ArgumentNullException.ThrowIfNull(value);
        var doc = Open(stackFilePath, projectName, key, path, createIfMissing: true);
        JsonNode? leaf = secure ? new JsonObject { ["secure"] = value }
            : path ? PathValue(value) : JsonValue.Create(value);
        if (doc.Entry is { } entry && TrySpliceSet(doc, entry.Value, leaf)) return;
        JsonNode? newValue;
        if (doc.Rest.Count == 0) newValue = leaf;
        else
        {
            var current = doc.Entry is null ? null : YamlJson.ToJsonNode(doc.Entry.Value.Value);
            newValue = SetAt(current, doc.Rest, 0, leaf, key);
        }
        doc.Replace(RenderEntry(doc.EntryKeyText, newValue, doc.Indent));
    }

    /// <summary>Removes a key (or, with <paramref name="path"/>, one value inside it); false when it was not there.</summary>
    public static bool Remove(string stackFilePath, string projectName, string key, bool path)
    {
        if (!File.Exists(stackFilePath)) return false;
        var doc = Open(stackFilePath, projectName, key, path, createIfMissing: false);
        if (doc.Entry is null) return false;
        if (doc.Rest.Count == 0)
        {
            doc.Replace([]);
            return true;
        }
        if (TrySpliceRemove(doc, doc.Entry.Value.Value)) return true;
        var tree = YamlJson.ToJsonNode(doc.Entry.Value.Value);
        if (!RemoveAt(tree, doc.Rest)) return false;
        doc.Replace(RenderEntry(doc.EntryKeyText, tree, doc.Indent));
        return true;
    }

    /// <summary>
    /// The value as <c>config get</c> prints it: scalars as written, structured values as JSON, secrets decrypted
    /// with <paramref name="decrypt"/> or shown as <c>[secret]</c> without it; null when missing.
    /// </summary>
    public static string? Get(string stackFilePath, string projectName, string key, bool path, Func<string, string>? decrypt = null)
    {
        if (!File.Exists(stackFilePath)) return null;
        var doc = Open(stackFilePath, projectName, key, path, createIfMissing: false);
        if (doc.Entry is null) return null;
        YamlNode? node = doc.Entry.Value.Value;
        foreach (var segment in doc.Rest)
        {
            node = (segment, node) switch
            {
                (string name, YamlMappingNode m) => m.Children.FirstOrDefault(kv => YamlJson.KeyText(kv.Key) == name).Value,
                (int index, YamlSequenceNode s) => index < s.Children.Count ? s.Children[index] : null,
                _ => null,
            };
            if (node is null) return null;
        }
        return Show(node, decrypt);
    }

    /// <summary>Every key of the stack file, in file order.</summary>
    public static IReadOnlyList<ConfigListing> List(string stackFilePath, string projectName, Func<string, string>? decrypt = null)
    {
        if (!File.Exists(stackFilePath)) return [];
        var stack = Parse(stackFilePath, projectName, out _);
        return stack.Config.Values
            .Select(e => new ConfigListing(e.Key.ToString(), Show(e.Value, decrypt), e.ContainsSecure))
            .ToList();
    }

    private static string Show(YamlNode node, Func<string, string>? decrypt)
    {
        if (YamlJson.TryGetSecure(node, out var ciphertext)) return decrypt is null ? PropertyValues.SecretDisplay : decrypt(ciphertext);
        if (node is YamlScalarNode s) return s.Value ?? "";
        var json = decrypt is null
            ? PropertyValues.Redact(YamlJson.ToJsonNode(node, _ => ""))
            : PropertyValues.Reveal(YamlJson.ToJsonNode(node, decrypt));
        return json?.ToJsonString(new JsonSerializerOptions { Encoder = Encoder }) ?? "null";
    }

    private static StackFile Parse(string stackFilePath, string projectName, out YamlMappingNode? root)
    {
        var bag = new DiagnosticBag(Path.GetFileName(stackFilePath));
        var text = ReadText(stackFilePath);
        var stack = StackFile.Parse(text, projectName, bag);
        root = YamlDocumentReader.Read(text, new DiagnosticBag(bag.File)) as YamlMappingNode;
        // Problems with secure values or unknown attributes do not stop an edit; broken YAML and duplicates do.
        var blocking = bag.Items.Where(d => d.Message.StartsWith("YAML", StringComparison.Ordinal)
            || d.Message.StartsWith("duplicate key", StringComparison.Ordinal)).ToList();
        if (blocking.Count > 0) throw new ConfigException(blocking);
        return stack;
    }

    // Strict UTF-8 within the YAML limits, as every reader; an unreadable file is a configuration error, not edited.
    private static string ReadText(string stackFilePath)
    {
        var bag = new DiagnosticBag(Path.GetFileName(stackFilePath));
        return YamlDocumentReader.ReadFile(stackFilePath, bag) ?? throw new ConfigException(bag.Items);
    }

    private static EditableDocument Open(string stackFilePath, string projectName, string key, bool path, bool createIfMissing)
    {
        ArgumentNullException.ThrowIfNull(stackFilePath);
        ArgumentException.ThrowIfNullOrEmpty(projectName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        List<object> segments;
        try
        {
            segments = path ? [.. PropertyPath.Parse(key).Segments] : [key];
        }
        catch (FormatException e)
        {
            throw new ConfigException([new ConfigDiagnostic(Path.GetFileName(stackFilePath), 0, 0, key, e.Message, "write a path such as lanes.items[0].ctxSize")]);
        }
        var fullKey = ConfigKey.Parse((string)segments[0], projectName);
        if (!File.Exists(stackFilePath))
        {
            if (!createIfMissing) throw new FileNotFoundException(stackFilePath);
            WriteAtomically(stackFilePath, "");
        }
        var stack = Parse(stackFilePath, projectName, out var root);
        var text = ReadText(stackFilePath);
        stack.Config.TryGetValue(fullKey.ToString(), out var entry);
        var configNode = root?.Children.FirstOrDefault(kv => YamlJson.KeyText(kv.Key) == "config");
        return new EditableDocument(stackFilePath, text, configNode?.Key, configNode?.Value, entry, fullKey, segments.Skip(1).ToList());
    }

    private sealed class EditableDocument(string filePath, string text, YamlNode? configKey,
        YamlNode? configValue, StackConfigEntry? entry, ConfigKey key, List<object> rest)
    {
        public KeyValuePair<YamlNode, YamlNode>? Entry { get; } = entry is null ? null : KeyValuePair.Create(entry.KeyNode, entry.Value);
        public List<object> Rest { get; } = rest;
        public string Text => text;

        /// <summary>Replaces the characters [start, end) of the parsed text (marks skip a BOM) and writes the file.</summary>
        public void Splice(long start, long end, string replacement)
        {
            var bom = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
            WriteAtomically(filePath, string.Concat(text.AsSpan(0, (int)start + bom), replacement, text.AsSpan((int)end + bom)));
        }

        /// <summary>Removes lines first..last (1-based, inclusive) and inserts <paramref name="insert"/> there, with the file's line ends.</summary>
        public void SpliceLines(int first, int last, IReadOnlyList<string> insert)
        {
            var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
            var body = text.EndsWith('\n') || text.Length == 0 ? text : text + newline;
            var from = LineOffset(body, first);
            var to = LineOffset(body, last + 1);
            var added = string.Concat(insert.Select(l => l + newline));
            WriteAtomically(filePath, string.Concat(body.AsSpan(0, from), added, body.AsSpan(to)));
        }

        private static int LineOffset(string body, int line)
        {
            var offset = 0;
            for (var n = 1; n < line; n++)
            {
                var next = body.IndexOf('\n', offset);
                if (next < 0) return body.Length;
                offset = next + 1;
            }
            return offset;
        }
        // Keep the key as the file wrote it (bare or namespaced); a new key is written namespaced, as Pulumi does.
        public string EntryKeyText { get; } = entry is null ? key.ToString() : YamlJson.KeyText(entry.KeyNode);
        public int Indent { get; } = configValue is YamlMappingNode { Children.Count: > 0, Style: not MappingStyle.Flow } m ? (int)m.Children.Keys.First().Start.Column - 1 : 2;

        public void Replace(IReadOnlyList<string> entryLines)
        {
            var lines = SplitLines(text);
            var flowConfig = configValue is YamlMappingNode { Style: MappingStyle.Flow };
            if (Entry is { } e && !flowConfig)
            {
                var first = (int)e.Key.Start.Line - 1;
                var last = LastLine(e.Value) - 1;
                lines.RemoveRange(first, last - first + 1);
                lines.InsertRange(first, entryLines);
            }
            else if (configValue is YamlMappingNode { Children.Count: > 0 } block && !flowConfig)
            {
                var last = LastLine(block) - 1;
                lines.InsertRange(last + 1, entryLines);
            }
            else if (configKey is not null)
            {
                // `config:` that is empty or flow style: rewrite the section in block style.
                var entries = new List<string>();
                if (configValue is YamlMappingNode flow)
                {
                    foreach (var (k, v) in flow.Children)
                    {
                        if (Entry is { } old && ReferenceEquals(old.Key, k)) continue;
                        entries.AddRange(RenderEntry(YamlJson.KeyText(k), YamlJson.ToJsonNode(v), 2));
                    }
                }
                entries.AddRange(entryLines);
                var first = (int)configKey.Start.Line - 1;
                var last = configValue is null ? first : LastLine(configValue) - 1;
                lines.RemoveRange(first, last - first + 1);
                lines.InsertRange(first, ["config:", .. entries]);
            }
            else
            {
                if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
                lines.Add("config:");
                lines.AddRange(entryLines);
            }
            var result = string.Join("\n", lines);
            if (!result.EndsWith('\n')) result += "\n";
            WriteAtomically(filePath, result);
        }
    }

    // A --path set as a text splice: an existing scalar's text is replaced in place (its quoting style kept); a key or
    // list item that does not exist yet is inserted as lines after its block-style parent's last line. False: re-render.
    private static bool TrySpliceSet(EditableDocument doc, YamlNode entryValue, JsonNode? leaf)
    {
        var node = entryValue;
        for (var i = 0; i < doc.Rest.Count; i++)
        {
            var child = Child(node, doc.Rest[i]);
            if (child is not null)
            {
                node = child;
                continue;
            }
            var value = SetAt(null, doc.Rest, i + 1, leaf, "");
            switch (doc.Rest[i], node)
            {
                case (string name, YamlMappingNode { Style: not MappingStyle.Flow, Children.Count: > 0 } map):
                    var indent = (int)map.Children.Keys.First().Start.Column - 1;
                    var at = LastLine(map);
                    doc.SpliceLines(at + 1, at, RenderEntry(name, value, indent));
                    return true;
                case (int index, YamlSequenceNode { Style: not SequenceStyle.Flow, Children.Count: > 0 } seq) when index == seq.Children.Count
                    && DashColumn(doc.Text, seq.Children[0]) is { } dash:
                    var end = LastLine(seq);
                    doc.SpliceLines(end + 1, end, RenderItem(value, dash));
                    return true;
                default:
                    return false;
            }
        }
        // A secure value set again (--secret): only its ciphertext changes.
        if (node is YamlMappingNode { Children.Count: 1 } secure && YamlJson.TryGetSecure(secure, out _)
            && leaf is JsonObject { Count: 1 } wrapper && wrapper["secure"] is JsonValue cv && cv.TryGetValue<string>(out var ciphertext))
        {
            node = secure.Children.Values.Single();
            leaf = JsonValue.Create(ciphertext);
        }
        if (node is not YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } scalar
            || leaf is not JsonValue jv || node.Start.Line != node.End.Line)
        {
            return false;
        }
        // A quoted value stays a quoted string (cpu: "8" → "16"), so the type it was written with is kept.
        var text = jv.TryGetValue<string>(out var s) ? QuotedLike(scalar.Style, s)
            : scalar.Style == ScalarStyle.Plain ? Inline(leaf) : QuotedLike(scalar.Style, jv.ToJsonString());
        doc.Splice(scalar.Start.Index, scalar.End.Index, text);
        return true;
    }

    // A --path rm as the removal of the lines of one key (or list item) of a block-style parent that keeps other entries.
    private static bool TrySpliceRemove(EditableDocument doc, YamlNode entryValue)
    {
        var parent = entryValue;
        foreach (var segment in doc.Rest.SkipLast(1))
        {
            parent = Child(parent, segment);
            if (parent is null) return false;
        }
        YamlNode first, last;
        switch (doc.Rest[^1], parent)
        {
            case (string name, YamlMappingNode { Style: not MappingStyle.Flow, Children.Count: > 1 } map):
                var pair = map.Children.FirstOrDefault(kv => YamlJson.KeyText(kv.Key) == name);
                if (pair.Key is null || !StartsItsLine(doc.Text, pair.Key, allowDash: false)) return false;
                (first, last) = (pair.Key, pair.Value);
                break;
            case (int index, YamlSequenceNode { Style: not SequenceStyle.Flow, Children.Count: > 1 } seq) when index < seq.Children.Count:
                if (!StartsItsLine(doc.Text, seq.Children[index], allowDash: true)) return false;
                (first, last) = (seq.Children[index], seq.Children[index]);
                break;
            default:
                return false;
        }
        doc.SpliceLines((int)first.Start.Line, LastLine(last), []);
        return true;
    }

    private static YamlNode? Child(YamlNode node, object segment) => (segment, node) switch
    {
        (string name, YamlMappingNode m) => m.Children.FirstOrDefault(kv => YamlJson.KeyText(kv.Key) == name).Value,
        (int index, YamlSequenceNode q) when index < q.Children.Count => q.Children[index],
        _ => null,
    };

    // Only whitespace (and, for a list item, its '- ') before the node on its line.
    private static bool StartsItsLine(string text, YamlNode node, bool allowDash)
    {
        var bom = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var index = (int)node.Start.Index + bom;
        var lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var prefix = text.AsSpan(lineStart, index - lineStart).TrimStart(' ');
        return prefix.IsEmpty || (allowDash && prefix.Length >= 2 && prefix[0] == '-' && prefix[1..].Trim(' ').IsEmpty);
    }

    // The column (0-based) of the '- ' that starts a block list item, when the item starts its line.
    private static int? DashColumn(string text, YamlNode item)
    {
        var bom = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var index = (int)item.Start.Index + bom;
        var lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var prefix = text.AsSpan(lineStart, index - lineStart);
        var dash = prefix.IndexOf('-');
        return dash >= 0 && prefix[..dash].Trim(' ').IsEmpty && prefix[(dash + 1)..].Trim(' ').IsEmpty ? dash : null;
    }

    // A new string value in the style the old one was written in, so an edit and its revert give back the same text.
    private static string QuotedLike(ScalarStyle style, string value) => style switch
    {
        ScalarStyle.DoubleQuoted => JsonQuoted(value),
        ScalarStyle.SingleQuoted => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'",
        _ => Scalar(value),
    };

    private static List<string> SplitLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    // The last line (1-based) a node's text occupies. Block collections end where the next token starts, so their
    // children decide; a block scalar's end mark sits at the start of the following line.
    private static int LastLine(YamlNode node) => node switch
    {
        YamlMappingNode { Style: MappingStyle.Flow } or YamlSequenceNode { Style: SequenceStyle.Flow } => (int)node.End.Line,
        YamlMappingNode m when m.Children.Count > 0 => m.Children.Max(kv => Math.Max(LastLine(kv.Key), LastLine(kv.Value))),
        YamlSequenceNode s when s.Children.Count > 0 => s.Children.Max(LastLine),
        _ when node.End.Column == 1 && node.End.Line > node.Start.Line => (int)node.End.Line - 1,
        _ => (int)node.End.Line,
    };

    private static JsonNode? PathValue(string value)
    {
        if (value is "true" or "false") return JsonValue.Create(value == "true");
        if (YamlJson.TryInteger(value, out var l) && l.ToString(System.Globalization.CultureInfo.InvariantCulture) == value) return JsonValue.Create(l);
        return JsonValue.Create(value);
    }

    private static JsonNode? SetAt(JsonNode? current, List<object> segments, int i, JsonNode? leaf, string pathText)
    {
        if (i == segments.Count) return leaf;
        if (segments[i] is int index)
        {
            var array = current switch
            {
                null => new JsonArray(),
                JsonArray a => a,
                _ => throw PathError(pathText, $"'{Prefix(segments, i)}' is not a list"),
            };
            if (index < array.Count)
            {
                var child = array[index];
                var updated = SetAt(child, segments, i + 1, leaf, pathText);
                if (!ReferenceEquals(updated, child)) array[index] = updated;
            }
            else if (index == array.Count) array.Add(SetAt(null, segments, i + 1, leaf, pathText));
            else throw PathError(pathText, $"index {index} is past the end of a list of {array.Count}");
            return array;
        }
        var name = (string)segments[i];
        var obj = current switch
        {
            null => new JsonObject(),
            JsonObject o => o,
            _ => throw PathError(pathText, $"'{Prefix(segments, i)}' is not a mapping"),
        };
        var existing = obj[name];
        var result = SetAt(existing, segments, i + 1, leaf, pathText);
        if (!ReferenceEquals(result, existing) || !obj.ContainsKey(name)) obj[name] = result;
        return obj;
    }

    private static bool RemoveAt(JsonNode? tree, List<object> segments)
    {
        var node = tree;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            node = (segments[i], node) switch
            {
                (string n, JsonObject o) => o[n],
                (int x, JsonArray a) when x < a.Count => a[x],
                _ => null,
            };
            if (node is null) return false;
        }
        switch (segments[^1], node)
        {
            case (string n, JsonObject o):
                return o.Remove(n);
            case (int x, JsonArray a) when x < a.Count:
                a.RemoveAt(x);
                return true;
            default:
                return false;
        }
    }

    private static string Prefix(List<object> segments, int count) =>
        new PropertyPath(segments.Take(Math.Max(1, count)).ToList()).ToString();

    private static ConfigException PathError(string path, string message) =>
        new([new ConfigDiagnostic("", 0, 0, path, message, null)]);

    /// <summary>YAML block lines for <c>key: value</c> at the given indentation.</summary>
    internal static List<string> RenderEntry(string key, JsonNode? value, int indent)
    {
        var pad = new string(' ', indent);
        var lines = new List<string>();
        switch (value)
        {
            case JsonObject o when o.Count > 0:
                lines.Add($"{pad}{Scalar(key)}:");
                foreach (var (k, v) in o) lines.AddRange(RenderEntry(k, v, indent + 2));
                break;
            case JsonArray a when a.Count > 0:
                lines.Add($"{pad}{Scalar(key)}:");
                foreach (var item in a) lines.AddRange(RenderItem(item, indent + 2));
                break;
            default:
                lines.Add($"{pad}{Scalar(key)}: {Inline(value)}");
                break;
        }
        return lines;
    }

    private static List<string> RenderItem(JsonNode? item, int indent)
    {
        var pad = new string(' ', indent);
        switch (item)
        {
            case JsonObject o when o.Count > 0:
                var lines = o.SelectMany(kv => RenderEntry(kv.Key, kv.Value, indent + 2)).ToList();
                lines[0] = pad + "- " + lines[0][(indent + 2)..];
                return lines;
            case JsonArray a when a.Count > 0:
                return [pad + "-", .. a.SelectMany(i => RenderItem(i, indent + 2))];
            default:
                return [pad + "- " + Inline(item)];
        }
    }

    private static string Inline(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v when v.TryGetValue<string>(out var s) => Scalar(s),
        _ => value.ToJsonString(),
    };

    /// <summary>A string as a YAML scalar: plain when it reads back as the same string, else double-quoted.</summary>
    internal static string Scalar(string text)
    {
        var plainSafe = text.Length > 0
            && (char.IsAsciiLetterOrDigit(text[0]) || text[0] is '_' or '/' or '.')
            && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or '+' or '=' or '@' or ' ')
            && !text.EndsWith(' ') && !text.EndsWith(':') && !text.Contains(": ", StringComparison.Ordinal)
            && YamlJson.ScalarToJson(new YamlScalarNode(text)) is JsonValue jv && jv.TryGetValue<string>(out _);
        return plainSafe ? text : JsonQuoted(text);
    }

    // A JSON string literal (a valid YAML double-quoted scalar), escaped as JsonSerializer.Serialize would with the
    // relaxed encoder, written directly so it needs no serializer metadata (the native build has none for this).
    private static string JsonQuoted(string text)
    {
        var buffer = new ArrayBufferWriter<byte>(text.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder }))
        {
            writer.WriteStringValue(text);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteAtomically(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temp, full, overwrite: true);
    }
}
