namespace Llmctl.Engine.Config;

/// <summary>
/// A configuration key <c>namespace:name</c> (<c>llm-platform:lanes</c>, <c>kubernetes:context</c>). A bare key takes
/// the project's name as namespace; the legacy form <c>ns:config:name</c> is cleaned to <c>ns:name</c>, as Pulumi does.
/// </summary>
public readonly record struct ConfigKey(string Namespace, string Name)
{
    public static ConfigKey Parse(string key, string projectName)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return new ConfigKey(projectName, key);
        var ns = key[..colon];
        var name = key[(colon + 1)..];
        if (name.StartsWith("config:", StringComparison.Ordinal)) name = name["config:".Length..];
        return new ConfigKey(ns, name);
    }

    public override string ToString() => $"{Namespace}:{Name}";
}
