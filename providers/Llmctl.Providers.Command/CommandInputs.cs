using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Engine.Model;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Command;

/// <summary>A command resource's inputs read back from JSON, secrets revealed, with a note of which ones were secret.</summary>
internal sealed partial record CommandInputs
{
    public string? Create { get; init; }
    public string? Update { get; init; }
    public string? Delete { get; init; }
    public string? Stdin { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public bool AddPreviousOutputInEnv { get; init; } = true;
    /// <summary>Pulumi.Command's <c>logging</c>: which of the command's streams go to the step's progress.</summary>
    public bool LogStdout { get; init; } = true;
    public bool LogStderr { get; init; } = true;
    public IReadOnlyList<string> Interpreter { get; init; } = ["/bin/sh", "-c"];
    public string? Dir { get; init; }
    public ConnectionInputs? Connection { get; init; }
    /// <summary>A secret fed the command (its text, stdin or an environment value): its output is secret too.</summary>
    public bool FeedsSecret { get; init; }
    /// <summary>Every secret string among the inputs, to redact from error messages.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    public static CommandInputs Parse(JsonObject inputs)
    {
        var feeders = new[] { "create", "update", "delete", "stdin", "environment" };
        return new CommandInputs
        {
            Create = Str(inputs, "create"),
            Update = Str(inputs, "update"),
            Delete = Str(inputs, "delete"),
            Stdin = Str(inputs, "stdin"),
            Environment = PropertyValues.Reveal(inputs["environment"]) is JsonObject env
                ? env.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "", StringComparer.Ordinal)
                : new Dictionary<string, string>(),
            AddPreviousOutputInEnv = PropertyValues.Reveal(inputs["addPreviousOutputInEnv"]) is not JsonValue v || !v.TryGetValue<bool>(out var b) || b,
            // stdoutAndStderr (the default), stdout, stderr or none.
            LogStdout = Str(inputs, "logging") is null or "stdoutAndStderr" or "stdout",
            LogStderr = Str(inputs, "logging") is null or "stdoutAndStderr" or "stderr",
            Interpreter = PropertyValues.Reveal(inputs["interpreter"]) is JsonArray { Count: > 0 } a
                ? a.Select(n => n?.ToString() ?? "").ToList()
                : ["/bin/sh", "-c"],
            Dir = Str(inputs, "dir"),
            Connection = PropertyValues.Reveal(inputs["connection"]) is JsonObject c ? ConnectionInputs.Parse(c) : null,
            FeedsSecret = feeders.Any(k => PropertyValues.ContainsSecrets(inputs[k])),
            Secrets = SecretStrings(inputs).Where(s => s.Length >= 3).Distinct().OrderByDescending(s => s.Length).ToList(),
        };
    }

    /// <summary>Validation failures, each naming the property (unknown values are skipped: they are checked when known).</summary>
    public static IReadOnlyList<CheckFailure> Check(string type, JsonObject inputs)
    {
        var failures = new List<CheckFailure>();
        if (PropertyValues.ContainsUnknowns(inputs)) return failures;
        var parsed = Parse(inputs);
        foreach (var key in parsed.Environment.Keys.Where(k => !EnvName().IsMatch(k)))
        {
            failures.Add(new CheckFailure($"environment.{key}", "is not a valid environment variable name (letters, digits and '_', not starting with a digit)"));
        }
        if (Str(inputs, "logging") is { } logging && logging is not ("stdout" or "stderr" or "stdoutAndStderr" or "none"))
        {
            failures.Add(new CheckFailure("logging", $"'{logging}' is not one of stdout, stderr, stdoutAndStderr, none"));
        }
        if (type is CommandTypes.RemoteCommand or CommandTypes.CopyToRemote)
        {
            if (parsed.Connection is null) failures.Add(new CheckFailure("connection", "is required"));
            else failures.AddRange(parsed.Connection.Check());
        }
        if (type == CommandTypes.CopyToRemote)
        {
            if (Str(inputs, "source") is not { Length: > 0 }) failures.Add(new CheckFailure("source", "is required"));
            if (Str(inputs, "remotePath") is not { Length: > 0 }) failures.Add(new CheckFailure("remotePath", "is required"));
        }
        return failures;
    }

    public static string? Str(JsonObject inputs, string key) =>
        PropertyValues.Reveal(inputs[key]) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static IEnumerable<string> SecretStrings(JsonNode? node, bool inSecret = false)
    {
        if (PropertyValues.IsSecret(node))
        {
            foreach (var s in SecretStrings(((JsonObject)node!)["value"], true)) yield return s;
            yield break;
        }
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o) foreach (var s in SecretStrings(value, inSecret)) yield return s;
                break;
            case JsonArray a:
                foreach (var item in a) foreach (var s in SecretStrings(item, inSecret)) yield return s;
                break;
            case JsonValue v when inSecret && v.TryGetValue<string>(out var str):
                yield return str;
                break;
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}

/// <summary>The <c>connection</c> input, revealed.</summary>
internal sealed record ConnectionInputs
{
    public required string Host { get; init; }
    public int Port { get; init; } = 22;
    public string User { get; init; } = "root";
    public string? PrivateKey { get; init; }
    public string? PrivateKeyPassword { get; init; }
    public string? Password { get; init; }
    public string? AgentSocketPath { get; init; }

    /// <summary>The agent to ask for signatures: <see cref="AgentSocketPath"/>, else <c>$SSH_AUTH_SOCK</c> as Pulumi does.</summary>
    public string? EffectiveAgentSocket => AgentSocketPath ?? NullIfEmpty(Environment.GetEnvironmentVariable("SSH_AUTH_SOCK"));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    public string? HostKey { get; init; }
    public string? KnownHostsPath { get; init; }
    public bool TrustOnFirstUse { get; init; }
    public int DialErrorLimit { get; init; } = 10;
    public int PerDialTimeout { get; init; } = 15;

    public static ConnectionInputs Parse(JsonObject c) => new()
    {
        Host = CommandInputs.Str(c, "host") ?? "",
        Port = Int(c, "port") ?? 22,
        User = CommandInputs.Str(c, "user") ?? "root",
        PrivateKey = CommandInputs.Str(c, "privateKey"),
        PrivateKeyPassword = CommandInputs.Str(c, "privateKeyPassword"),
        Password = CommandInputs.Str(c, "password"),
        AgentSocketPath = CommandInputs.Str(c, "agentSocketPath"),
        HostKey = CommandInputs.Str(c, "hostKey"),
        KnownHostsPath = CommandInputs.Str(c, "knownHostsPath"),
        TrustOnFirstUse = c["trustOnFirstUse"] is JsonValue t && t.TryGetValue<bool>(out var b) && b,
        DialErrorLimit = Int(c, "dialErrorLimit") ?? 10,
        PerDialTimeout = Int(c, "perDialTimeout") ?? 15,
    };

    /// <summary>The name OpenSSH files this host under in known_hosts: <c>host</c>, or <c>[host]:port</c> off port 22.</summary>
    public string KnownHostsName => Port == 22 ? Host : $"[{Host}]:{Port}";

    public IEnumerable<CheckFailure> Check()
    {
        if (string.IsNullOrWhiteSpace(Host)) yield return new CheckFailure("connection.host", "is required");
        if (Port is < 1 or > 65535) yield return new CheckFailure("connection.port", $"{Port} is not a TCP port (1-65535)");
        if (PrivateKey is null && Password is null && EffectiveAgentSocket is null)
        {
            yield return new CheckFailure("connection", "needs privateKey (the key's contents), an SSH agent (agentSocketPath, or SSH_AUTH_SOCK in the environment) or password");
        }
        if (HostKey is not null && !HostKeyVerifier.IsValidPin(HostKey))
        {
            yield return new CheckFailure("connection.hostKey", "must be a fingerprint 'SHA256:…' (as ssh-keygen -lf prints) or an OpenSSH public key line 'ssh-ed25519 AAAA…'");
        }
        if (DialErrorLimit is 0 or < -1) yield return new CheckFailure("connection.dialErrorLimit", "must be -1 (no limit) or at least 1");
        if (PerDialTimeout < 0) yield return new CheckFailure("connection.perDialTimeout", "must be 0 (no limit) or a number of seconds");
    }

    private static int? Int(JsonObject c, string key) => c[key] switch
    {
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) => (int)d,
        _ => null,
    };
}
