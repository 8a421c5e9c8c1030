using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Engine.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// YAML → JSON with YAML 1.2 core-schema scalars: plain <c>true/false</c>, integers, floats and <c>null</c>/<c>~</c>
/// become typed; quoted scalars (and <c>!!str</c>) stay strings. A <c>{secure: …}</c> value becomes a secret wrapper
/// around its decrypted text when a decrypter is given, and stays a plain <c>{"secure": "v1:…"}</c> object otherwise.
/// </summary>
public static partial class YamlJson
{
    public static JsonNode? ToJsonNode(YamlNode node, Func<string, string>? decryptSecure = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node)
        {
            case YamlScalarNode s:
                return ScalarToJson(s);
            case YamlSequenceNode seq:
                return new JsonArray(seq.Children.Select(c => ToJsonNode(c, decryptSecure)).ToArray());
            case YamlMappingNode map:
                if (decryptSecure is not null && TryGetSecure(map, out var ciphertext))
                    return PropertyValues.Secret(JsonValue.Create(decryptSecure(ciphertext)));
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    obj[KeyText(k)] = ToJsonNode(v, decryptSecure);
                }
                return obj;
            default:
                throw new NotSupportedException($"unsupported YAML node {node.NodeType}");
        }
    }

    /// <summary>True for <c>{secure: "&lt;ciphertext&gt;"}</c>, Pulumi's encrypted config value.</summary>
    public static bool TryGetSecure(YamlNode node, out string ciphertext)
    {
        ciphertext = "";
        if (node is not YamlMappingNode { Children.Count: 1 } map) return false;
        var (k, v) = map.Children.First();
        if (k is not YamlScalarNode { Value: "secure" } || v is not YamlScalarNode s) return false;
        ciphertext = s.Value ?? "";
        return true;
    }

    /// <summary>True when the node or anything below it is a <c>{secure: …}</c> value.</summary>
    public static bool ContainsSecure(YamlNode node) => node switch
    {
        _ when TryGetSecure(node, out _) => true,
        YamlMappingNode m => m.Children.Values.Any(ContainsSecure),
        YamlSequenceNode s => s.Children.Any(ContainsSecure),
        _ => false,
    };

    public static string KeyText(YamlNode key) => key is YamlScalarNode s ? s.Value ?? "" : key.ToString();

    public static JsonNode? ScalarToJson(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        if (!IsPlain(s)) return JsonValue.Create(text);
        if (IsNull(text)) return null;
        if (TryBool(text, out var b)) return JsonValue.Create(b);
        if (TryInteger(text, out var l)) return JsonValue.Create(l);
        if (FloatPattern().IsMatch(text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && double.IsFinite(d))
            return JsonValue.Create(d);
        return JsonValue.Create(text);
    }

    /// <summary>A plain (unquoted, untagged) scalar, whose type the core schema decides.</summary>
    public static bool IsPlain(YamlScalarNode s) => s.Style is ScalarStyle.Plain or ScalarStyle.Any && s.Tag.IsEmpty;

    public static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    public static bool TryBool(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE": value = true; return true;
            case "false" or "False" or "FALSE": value = false; return true;
            default: value = false; return false;
        }
    }

    /// <summary>Core-schema integers: decimal, <c>0o</c> octal, <c>0x</c> hexadecimal.</summary>
    public static bool TryInteger(string text, out long value)
    {
        value = 0;
        if (DecimalPattern().IsMatch(text))
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        try
        {
            if (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2 && text[2..].All(c => c is >= '0' and <= '7'))
            {
                value = Convert.ToInt64(text[2..], 8);
                return true;
            }
            if (text.StartsWith("0x", StringComparison.Ordinal) && text.Length > 2 && text[2..].All(char.IsAsciiHexDigit))
            {
                value = Convert.ToInt64(text[2..], 16);
                return true;
            }
        }
        catch (OverflowException)
        {
        }
        return false;
    }

    /// <summary>A finite core-schema float (integers included): what a plain scalar needs to be read as a number.</summary>
    public static bool IsCoreFloat(string text) =>
        FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d);

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
