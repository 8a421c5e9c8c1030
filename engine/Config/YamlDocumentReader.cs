using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// The limits on every YAML file llmctl reads (project, stack and lock files), decided here once. They bound the work a
/// hostile or broken file can cause: the size is checked before the file is read, nesting and aliases while the event
/// stream is buffered, so no walk over a loaded document (binding, secure-value checks, JSON conversion) can recurse
/// deeper than <see cref="MaxDepth"/> or visit more than <see cref="MaxExpandedNodes"/> nodes.
/// </summary>
public static class YamlLimits
{
    /// <summary>The largest file read; the real stack files are under 20 KiB.</summary>
    public const long MaxFileBytes = 2 * 1024 * 1024;
    /// <summary>Collections inside collections; the deepest real stack value is 6.</summary>
    public const int MaxDepth = 64;
    /// <summary>Alias uses (<c>*name</c>) in one document.</summary>
    public const int MaxAliases = 100;
    /// <summary>Nodes in the document with every alias expanded: stops "billion laughs" and alias bombs.</summary>
    public const long MaxExpandedNodes = 100_000;
}

/// <summary>
/// Reads one YAML document into YamlDotNet's representation model, keeping marks for every node. Syntax errors and
/// duplicate mapping keys become diagnostics instead of exceptions: the event stream is buffered first, duplicate
/// keys are reported (the first occurrence wins, as the later ones are dropped) and the cleaned stream is loaded.
/// Files are read as strict UTF-8 (a BOM is skipped, CRLF line ends work) within <see cref="YamlLimits"/>.
/// </summary>
public static partial class YamlDocumentReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The text of a YAML file, or null with a diagnostic when it is larger than <see cref="YamlLimits.MaxFileBytes"/>
    /// or is not valid UTF-8 (reported at the line and column of the first invalid byte).
    /// </summary>
    public static string? ReadFile(string path, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > YamlLimits.MaxFileBytes)
        {
            diagnostics.Add(null, "", $"the file is {stream.Length / 1024 / 1024.0:0.#} MiB; llmctl reads YAML files of at most {YamlLimits.MaxFileBytes / 1024 / 1024} MiB",
                "check that this is the right file; configuration files are a few KiB");
            return null;
        }
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Decode(bytes, diagnostics);
    }

    /// <summary>Strict UTF-8 (a leading BOM is skipped); null with a located diagnostic at the first invalid byte.</summary>
    public static string? Decode(ReadOnlySpan<byte> bytes, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        if (Utf8.IsValid(bytes)) return StrictUtf8.GetString(bytes);
        var chars = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            Utf8.ToUtf16(bytes, chars, out var valid, out _, replaceInvalidSequences: false);
            var lineStart = bytes[..valid].LastIndexOf((byte)'\n') + 1;
            var line = bytes[..valid].Count((byte)'\n') + 1;
            var column = StrictUtf8.GetCharCount(bytes[lineStart..valid]) + 1;
            diagnostics.Add(new Mark(valid, line, column), "", $"the file is not valid UTF-8: byte 0x{bytes[valid]:X2} cannot start or continue a character here",
                "save the file as UTF-8 (a Latin-1 'é' is the usual cause) or replace the character");
            return null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The document's root node, or null when the text is empty or cannot be parsed.</summary>
    public static YamlNode? Read(string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (text.Length > YamlLimits.MaxFileBytes)
        {
            diagnostics.Add(null, "", $"the text is {text.Length / 1024 / 1024.0:0.#} MiB; llmctl reads YAML of at most {YamlLimits.MaxFileBytes / 1024 / 1024} MiB",
                "check that this is the right file; configuration files are a few KiB");
            return null;
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        List<ParsingEvent>? events;
        try
        {
            events = Buffer(text, diagnostics);
        }
        catch (YamlException e)
        {
            // YamlDotNet reports a tab in the indentation at the start of the enclosing block; point at the tab.
            if (FirstTabIndent(text) is { } tab && tab.Line >= e.Start.Line)
            {
                diagnostics.Add(tab, "", "YAML syntax error: a tab is used for indentation",
                    "indent with spaces; YAML does not allow tabs for indentation");
            }
            else
            {
                diagnostics.Add(e.Start, "", "YAML syntax error: " + StripMarks(e.Message),
                    "check the indentation and the quoting on this line and the one before");
            }
            return null;
        }
        catch (UnclosedFlowException e)
        {
            diagnostics.Add(e.Start, "", $"YAML syntax error: the '{e.Opener}' opened here is never closed",
                $"close it with '{(e.Opener == '[' ? ']' : '}')}' on the same logical line, or write the value in block style");
            return null;
        }
        if (events is null) return null;

        var stream = new YamlStream();
        try
        {
            stream.Load(new EventListParser(events));
        }
        catch (YamlException e)
        {
            diagnostics.Add(e.Start, "", "YAML error: " + StripMarks(e.Message));
            return null;
        }
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1)
        {
            diagnostics.Add(stream.Documents[1].RootNode, "", "the file holds more than one YAML document",
                "keep a single document; remove the extra '---' separator");
        }
        return stream.Documents[0].RootNode;
    }

    // Null (with a diagnostic) when the document breaks a limit; parsing stops there, so the work is bounded too.
    private static List<ParsingEvent>? Buffer(string text, DiagnosticBag diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        // Presized for the usual density (an event per dozen characters or so) rather than grown from nothing.
        var events = new List<ParsingEvent>(Math.Min(text.Length / 12 + 16, 1 << 16));
        // One frame per open collection: for mappings, the keys seen and whether the next node is a key.
        var frames = new Stack<Frame>();
        var skipDepth = 0; // > 0 while dropping the value of a duplicate key
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal); // anchor → its node count, aliases expanded
        var aliases = 0;
        long expanded = 0;

        while (MoveNext(parser, frames))
        {
            var ev = parser.Current!;
            if (ev is MappingStart or SequenceStart && frames.Count + skipDepth >= YamlLimits.MaxDepth)
            {
                diagnostics.Add(ev.Start, "", $"the YAML is nested more than {YamlLimits.MaxDepth} levels deep",
                    "configuration is a few levels deep; check for an unclosed '[' or '{' or a runaway indentation");
                return null;
            }
            if (skipDepth > 0)
            {
                if (ev is MappingStart or SequenceStart) skipDepth++;
                else if (ev is MappingEnd or SequenceEnd) skipDepth--;
                if (skipDepth == 1 && ev is not (MappingStart or SequenceStart)) skipDepth = 0;
                continue;
            }

            if (frames.TryPeek(out var top) && top.IsMapping && top.ExpectKey && ev is Scalar key)
            {
                top.LastKey = key.Value;
                if (!top.TryAddKey(key.Value, (int)key.Start.Line, out var firstLine))
                {
                    diagnostics.Add(key.Start, Join(top.Path, key.Value), $"duplicate key '{key.Value}'",
                        $"remove one of the two entries; the first one, at line {firstLine}, is used");
                    top.ExpectKey = true;
                    skipDepth = 1; // drop the next node (the duplicate's value)
                    continue;
                }
            }

            // Count the nodes a walk over the loaded document would visit, each alias as the whole anchored node.
            long size = ev switch
            {
                Scalar or MappingStart or SequenceStart => 1,
                AnchorAlias alias => anchors.GetValueOrDefault(alias.Value.Value, 1),
                _ => 0,
            };
            if (ev is AnchorAlias && ++aliases > YamlLimits.MaxAliases)
            {
                diagnostics.Add(ev.Start, "", $"the YAML uses more than {YamlLimits.MaxAliases} aliases",
                    "write the values out; configuration files need few or no '*alias' references");
                return null;
            }
            expanded += size;
            if (expanded > YamlLimits.MaxExpandedNodes)
            {
                diagnostics.Add(ev.Start, "", $"the YAML expands to more than {YamlLimits.MaxExpandedNodes:N0} values once its aliases are resolved",
                    "remove the nested '&anchor'/'*alias' references (a \"billion laughs\" file)");
                return null;
            }
            foreach (var f in frames) f.Size += size;

            if (ev is NodeEvent node) ev = CheckNode(node, frames, diagnostics);
            events.Add(ev);
            switch (ev)
            {
                case MappingStart m:
                    frames.Push(new Frame(true, ChildPath(frames), m.Style == MappingStyle.Flow ? m.Start : null, m.Anchor.IsEmpty ? null : m.Anchor.Value));
                    break;
                case SequenceStart q:
                    frames.Push(new Frame(false, ChildPath(frames), q.Style == SequenceStyle.Flow ? q.Start : null, q.Anchor.IsEmpty ? null : q.Anchor.Value));
                    break;
                case MappingEnd or SequenceEnd:
                    var done = frames.Pop();
                    if (done.Anchor is not null) anchors[done.Anchor] = done.Size + 1;
                    break;
                case Scalar sc:
                    if (!sc.Anchor.IsEmpty) anchors[sc.Anchor.Value] = 1;
                    AfterNode(frames);
                    break;
                case AnchorAlias:
                    AfterNode(frames);
                    break;
            }
        }
        return events;
    }

    // The key path of the node that comes next: a mapping's key or value, or a sequence's item.
    private static string NodePath(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var top)) return "";
        return top.IsMapping ? Join(top.Path, top.LastKey ?? "?") : $"{top.Path}[{top.Index}]";
    }

    /// <summary>
    /// Tags and characters, checked on every node. Configuration is plain YAML (Pulumi's config values are; only a
    /// <c>secure:</c> mapping is special), so the one tags accepted are the YAML 1.2 core schema's — <c>!!str</c>,
    /// <c>!!int</c>, <c>!!float</c>, <c>!!bool</c>, <c>!!null</c>, <c>!!map</c>, <c>!!seq</c> — and the non-specific
    /// <c>!</c>, each only on a value it fits (<c>!!int abc</c> is an error), and each resolved here: the node comes out
    /// untagged, quoted when it is text and plain when it is typed, so every later reader sees one meaning. Any other
    /// tag (<c>!custom</c>, <c>!!binary</c>, <c>!!timestamp</c>) is refused: nothing would read it as its writer meant.
    /// Control characters (other than tab and line ends) are refused in every scalar: names become Kubernetes names,
    /// labels, aliases and file names, and a NUL or an escape sequence is never meant in any of them.
    /// </summary>
    private static ParsingEvent CheckNode(NodeEvent node, Stack<Frame> frames, DiagnosticBag diagnostics)
    {
        // The node's key path (NodePath) is built only for a diagnostic: most nodes have none.
        if (node is Scalar text && FirstControl(text.Value) is { } control)
        {
            diagnostics.Add(node.Start, NodePath(frames), $"the value contains the control character U+{(int)control:X4}",
                "remove it: configuration values are printable text (names become Kubernetes names, labels, aliases and file names)");
        }
        if (node.Tag.IsEmpty) return node;
        var tag = node.Tag.Value;
        const string Core = "tag:yaml.org,2002:";
        var name = tag == "!" ? "!" : tag.StartsWith(Core, StringComparison.Ordinal) ? tag[Core.Length..] : null;
        string? problem = (name, node) switch
        {
            ("!" or "str", Scalar) => null,
            ("!", _) => null,
            ("int", Scalar s) => YamlJson.TryInteger(s.Value, out _) ? null : $"'{s.Value}' is not an integer",
            ("float", Scalar s) => YamlJson.IsCoreFloat(s.Value) ? null : $"'{s.Value}' is not a finite number",
            ("bool", Scalar s) => YamlJson.TryBool(s.Value, out _) ? null : $"'{s.Value}' is not true or false",
            ("null", Scalar s) => YamlJson.IsNull(s.Value) ? null : $"'{s.Value}' is not null",
            ("map", MappingStart) or ("seq", SequenceStart) => null,
            ("map" or "seq" or "str" or "int" or "float" or "bool" or "null", _) => "it does not fit this kind of value",
            _ => null,
        };
        var shown = name is null || name == "!" ? tag : "!!" + name;
        if (name is null || !KnownCoreTags.Contains(name))
        {
            diagnostics.Add(node.Start, NodePath(frames), $"the YAML tag '{shown}' is not supported",
                "remove the tag: configuration is plain YAML; quote a value to make it text (the core-schema tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are accepted)");
            return node;
        }
        if (problem is not null)
        {
            diagnostics.Add(node.Start, NodePath(frames), $"the value is tagged '{shown}' but {problem}", $"fix the value, or remove the '{shown}' tag");
            return node;
        }
        return node switch
        {
            // Text stays text (quoted); a typed scalar becomes plain, so the core schema reads it as its tag says.
            Scalar s => new Scalar(s.Anchor, TagName.Empty, s.Value,
                name is "!" or "str" ? s.Style is ScalarStyle.Plain or ScalarStyle.Any ? ScalarStyle.DoubleQuoted : s.Style : ScalarStyle.Plain,
                isPlainImplicit: true, isQuotedImplicit: true, s.Start, s.End),
            MappingStart m => new MappingStart(m.Anchor, TagName.Empty, true, m.Style, m.Start, m.End),
            SequenceStart q => new SequenceStart(q.Anchor, TagName.Empty, true, q.Style, q.Start, q.End),
            _ => node,
        };
    }

    // The first control character other than tab and line ends, or null.
    private static char? FirstControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) return c;
        }
        return null;
    }

    private static readonly HashSet<string> KnownCoreTags = new(StringComparer.Ordinal) { "!", "str", "int", "float", "bool", "null", "map", "seq" };

    // YamlDotNet 18 throws InvalidOperationException instead of a YamlException for some unclosed flow collections.
    private static bool MoveNext(Parser parser, Stack<Frame> frames)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (InvalidOperationException) when (frames.FirstOrDefault(f => f.FlowStart is not null) is { } flow)
        {
            throw new UnclosedFlowException(flow.FlowStart!.Value, flow.IsMapping ? '{' : '[');
        }
        catch (InvalidOperationException)
        {
            throw new YamlException(Mark.Empty, Mark.Empty, "the YAML cannot be parsed");
        }
    }

    private sealed class UnclosedFlowException(Mark start, char opener) : Exception
    {
        public Mark Start { get; } = start;
        public char Opener { get; } = opener;
    }

    // A node has been opened or read in the current collection: in a mapping, keys and values alternate; in a
    // sequence, the index moves on.
    private static void AfterNode(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var f)) return;
        if (f.IsMapping) f.ExpectKey = !f.ExpectKey;
        else f.Index++;
    }

    // The key path of a collection that opens now, then the step in its parent.
    private static string ChildPath(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var parent)) return "";
        var path = parent.IsMapping ? Join(parent.Path, parent.LastKey ?? "?") : $"{parent.Path}[{parent.Index}]";
        AfterNode(frames);
        return path;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private sealed class Frame(bool isMapping, string path, Mark? flowStart, string? anchor)
    {
        public Mark? FlowStart { get; } = flowStart;
        public string? Anchor { get; } = anchor;
        /// <summary>The nodes inside, aliases expanded.</summary>
        public long Size { get; set; }
        public bool IsMapping { get; } = isMapping;
        public string Path { get; } = path;
        public string? LastKey { get; set; }
        public int Index { get; set; }
        public bool ExpectKey { get; set; } = true;

        // The keys seen, each with the line it is on.
        private readonly Dictionary<string, int> _keyLines = new(StringComparer.Ordinal);

        /// <summary>Records a key at its line; false, with the line of the first one, when the mapping has it already.</summary>
        public bool TryAddKey(string key, int line, out int firstLine)
        {
            if (_keyLines.TryGetValue(key, out firstLine)) return false;
            _keyLines.Add(key, line);
            firstLine = line;
            return true;
        }
    }

    private sealed class EventListParser(List<ParsingEvent> events) : IParser
    {
        private int _index = -1;
        public ParsingEvent? Current => _index >= 0 && _index < events.Count ? events[_index] : null;
        public bool MoveNext() => ++_index < events.Count;
    }

    private static string StripMarks(string message) => MarksPrefix().Replace(message, "").Trim();

    private static Mark? FirstTabIndent(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent) return new Mark(0, i + 1, tab + 1);
        }
        return null;
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex MarksPrefix();
}
