namespace Llmctl.Engine.Model;

/// <summary>
/// A Pulumi-shaped resource name: <c>urn:pulumi:&lt;stack&gt;::&lt;project&gt;::&lt;Parent$Type&gt;::&lt;name&gt;</c>.
/// The qualified type is the <c>$</c>-joined chain of parent types, up to and excluding the root stack resource.
/// </summary>
public readonly record struct Urn
{
    private const string Prefix = "urn:pulumi:";

    public Urn(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (!TryParseParts(value, out _, out _, out _, out _))
        {
            throw new FormatException($"'{value}' is not a URN of the form urn:pulumi:<stack>::<project>::<type>::<name>");
        }
        Value = value;
    }

    public string Value { get; }

    public string Stack => Part(0)[Prefix.Length..];
    public string Project => Part(1);
    /// <summary>The qualified type: parent types and this resource's type, joined by <c>$</c>.</summary>
    public string QualifiedType => Part(2);
    /// <summary>This resource's own type token (the last link of the qualified type).</summary>
    public string Type => QualifiedType[(QualifiedType.LastIndexOf('$') + 1)..];
    /// <summary>The logical name; it may itself contain <c>::</c>.</summary>
    public string Name
    {
        get
        {
            var at = NthSeparator(Value, 3);
            return Value[(at + 2)..];
        }
    }

    public static Urn Create(string stack, string project, string? parentQualifiedType, string type, string name)
    {
        var qualified = string.IsNullOrEmpty(parentQualifiedType) ? type : $"{parentQualifiedType}${type}";
        return new Urn($"{Prefix}{stack}::{project}::{qualified}::{name}");
    }

    public static bool TryParse(string? value, out Urn urn)
    {
        urn = default;
        if (value is null || !TryParseParts(value, out _, out _, out _, out _)) return false;
        urn = new Urn(value);
        return true;
    }

    private string Part(int index)
    {
        var parts = Value.Split("::", 4);
        return parts[index];
    }

    private static int NthSeparator(string value, int n)
    {
        var at = -2;
        for (var i = 0; i < n; i++)
        {
            at = value.IndexOf("::", at + 2, StringComparison.Ordinal);
            if (at < 0) return -1;
        }
        return at;
    }

    private static bool TryParseParts(string value, out string stack, out string project, out string type, out string name)
    {
        stack = project = type = name = "";
        if (!value.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = value.Split("::", 4);
        if (parts.Length != 4 || parts[0].Length <= Prefix.Length) return false;
        stack = parts[0][Prefix.Length..];
        (project, type, name) = (parts[1], parts[2], parts[3]);
        return stack.Length > 0 && project.Length > 0 && type.Length > 0 && name.Length > 0;
    }

    public override string ToString() => Value;

    public static implicit operator string(Urn urn) => urn.Value;
}
