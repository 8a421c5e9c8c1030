using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// One problem in a project or stack file: where it is (file:line:column, 1-based), which key, what is wrong and,
/// when we can tell, what fixes it. Printed as
/// <c>Pulumi.homelab.yaml:12:7: llm-platform:lanes.items[0].ctxSize: expected an integer, got 'big' — write a whole number such as 49152</c>.
/// </summary>
public sealed record ConfigDiagnostic(string File, int Line, int Column, string KeyPath, string Message, string? Fix)
{
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        var key = string.IsNullOrEmpty(KeyPath) ? "" : KeyPath + ": ";
        var fix = string.IsNullOrEmpty(Fix) ? "" : " — " + Fix;
        return $"{where}: {key}{Message}{fix}";
    }
}

/// <summary>
/// The project or stack configuration is wrong. Carries every problem found, so the CLI prints them all and exits 2
/// without a stack trace.
/// </summary>
public class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigDiagnostic> diagnostics)
        : this(diagnostics, string.Join(Environment.NewLine, diagnostics))
    {
    }

    protected ConfigException(IReadOnlyList<ConfigDiagnostic> diagnostics, string message) : base(message)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<ConfigDiagnostic> Diagnostics { get; }
}

/// <summary>Collects diagnostics for one file; positions come from YamlDotNet marks.</summary>
public sealed class DiagnosticBag(string file, List<ConfigDiagnostic>? sink = null)
{
    private readonly List<ConfigDiagnostic> _items = sink ?? [];

    public string File { get; } = file;
    public IReadOnlyList<ConfigDiagnostic> Items => _items;
    public bool HasErrors => _items.Count > 0;

    public DiagnosticBag For(string otherFile) => new(otherFile, _items);

    /// <summary>Adds a problem at the node's start, or without a position when there is no node.</summary>
    public void Add(YamlNode? node, string keyPath, string message, string? fix = null)
    {
        if (node is null) _items.Add(new ConfigDiagnostic(File, 0, 0, keyPath, message, fix));
        else Add(node.Start, keyPath, message, fix);
    }

    public void Add(Mark at, string keyPath, string message, string? fix = null) =>
        _items.Add(new ConfigDiagnostic(File, (int)at.Line, (int)at.Column, keyPath, message, fix));

    public void AddRange(IEnumerable<ConfigDiagnostic> diagnostics) => _items.AddRange(diagnostics);
}
