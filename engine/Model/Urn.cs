using System.Diagnostics;

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
        if (!IsWellFormed(value))
        {
            throw new FormatException($"'{value}' is not a URN of the form urn:pulumi:<stack>::<project>::<type>::<name>");
        }
        Value = value;
    }

    /// <summary>A URN already checked to be well formed.</summary>
    private Urn(string value, bool wellFormed)
    {
        Debug.Assert(wellFormed && IsWellFormed(value));
        Value = value;
    }

    public string Value { get; }

    public string Stack => Part(0)[Prefix.Length..];
    public string Project => Part(1);
    /// <summary>The qualified type: parent types and this resource's type, joined by <c>$</c>.</summary>
    public string QualifiedType => Part(2);
    /// <summary>This resource's own type token (the last link of the qualified type).</summary>
    public string Type => TypeSpan.ToString();
    /// <summary>The logical name; it may itself contain <c>::</c>.</summary>
    public string Name
    {
        get
        {
            var at = NthSeparator(Value, 3);
            return Value[(at + 2)..];
        }
    }

    /// <summary><see cref="Type"/> without allocating.</summary>
    public ReadOnlySpan<char> TypeSpan
    {
        get
        {
            var qualified = PartSpan(2);
            return qualified[(qualified.LastIndexOf('$') + 1)..];
        }
    }

    /// <summary><see cref="Name"/> without allocating.</summary>
    public ReadOnlySpan<char> NameSpan => Value.AsSpan(NthSeparator(Value, 3) + 2);

    public static Urn Create(string stack, string project, string? parentQualifiedType, string type, string name)
    {
        var qualified = string.IsNullOrEmpty(parentQualifiedType) ? type : $"{parentQualifiedType}${type}";
        return new Urn($"{Prefix}{stack}::{project}::{qualified}::{name}");
    }

    public static bool TryParse(string? value, out Urn urn)
    {
        urn = default;
        if (value is null || !IsWellFormed(value)) return false;
        urn = new Urn(value, wellFormed: true);
        return true;
    }

    private string Part(int index) => PartSpan(index).ToString();

    /// <summary>One of the four <c>::</c>-separated parts (the last, the name, may itself hold <c>::</c>).</summary>
    private ReadOnlySpan<char> PartSpan(int index)
    {
        var start = index == 0 ? 0 : NthSeparator(Value, index) + 2;
        if (index == 3) return Value.AsSpan(start);
        var end = Value.IndexOf("::", start, StringComparison.Ordinal);
        return Value.AsSpan(start, end - start);
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

    /// <summary>Whether <paramref name="value"/> has the four non-empty parts (what <c>Split("::", 4)</c> would give), without allocating.</summary>
    private static bool IsWellFormed(string value)
    {
        if (!value.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var first = value.IndexOf("::", StringComparison.Ordinal);
        if (first < 0 || first <= Prefix.Length) return false;
        var second = value.IndexOf("::", first + 2, StringComparison.Ordinal);
        if (second < 0 || second == first + 2) return false;
        var third = value.IndexOf("::", second + 2, StringComparison.Ordinal);
        return third >= 0 && third > second + 2 && third + 2 < value.Length;
    }

    public override string ToString() => Value;

    public static implicit operator string(Urn urn) => urn.Value;
}
