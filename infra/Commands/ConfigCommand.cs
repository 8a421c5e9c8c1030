using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Config.Secrets;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl config [get|set|rm]</c>: read and edit <c>Pulumi.&lt;stack&gt;.yaml</c> as Pulumi does.</summary>
internal static class ConfigCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Build(CliContext cli)
    {
        var json = new Option<bool>("--json", "-j") { Description = "Print JSON" };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Show secret values in plain text" };
        var path = new Option<bool>("--path") { Description = "The key is a property path into a structured value (a.b[0].c)" };
        var config = new Command("config", "List the stack's configuration (secrets as [secret])") { json, showSecrets };
        config.SetAction(parse => List(cli, parse, parse.GetValue(json), parse.GetValue(showSecrets)));

        var getKey = new Argument<string>("key");
        var get = new Command("get", "Print one configuration value") { getKey, path, json };
        get.SetAction(parse => Get(cli, parse, parse.GetValue(getKey)!, parse.GetValue(path), parse.GetValue(json)));
        config.Subcommands.Add(get);

        var setKey = new Argument<string>("key");
        var setValue = new Argument<string?>("value") { Arity = ArgumentArity.ZeroOrOne, Description = "The value (read from standard input when omitted)" };
        var secret = new Option<bool>("--secret") { Description = "Encrypt the value with the stack's passphrase" };
        var plaintext = new Option<bool>("--plaintext") { Description = "Store the value in plain text (the default)" };
        var set = new Command("set", "Set a configuration value") { setKey, setValue, secret, plaintext, path };
        set.SetAction(parse => Set(cli, parse, parse.GetValue(setKey)!, parse.GetValue(setValue), parse.GetValue(secret), parse.GetValue(path)));
        config.Subcommands.Add(set);

        var rmKey = new Argument<string>("key");
        var rm = new Command("rm", "Remove a configuration value") { rmKey, path };
        rm.SetAction(parse => Remove(cli, parse, parse.GetValue(rmKey)!, parse.GetValue(path)));
        config.Subcommands.Add(rm);
        return config;
    }

    private static int List(CliContext cli, ParseResult parse, bool json, bool showSecrets)
    {
        var ws = StackWorkspace.Open(cli, parse);
        var entries = StackFileEditor.List(ws.Loaded.StackFilePath, ws.Project, showSecrets ? ws.Crypter.Decrypt : null);
        if (json)
        {
            var obj = new JsonObject(entries.Select(e => KeyValuePair.Create<string, JsonNode?>(e.Key, new JsonObject
            {
                ["value"] = e.Secret && !showSecrets ? null : e.Value,
                ["secret"] = e.Secret,
            })));
            cli.Out.WriteLine(obj.ToJsonString(Indented));
            return ExitCodes.Ok;
        }
        cli.Out.WriteLine($"{"KEY",-40} VALUE");
        foreach (var e in entries) cli.Out.WriteLine($"{e.Key,-40} {e.Value}");
        return ExitCodes.Ok;
    }

    private static int Get(CliContext cli, ParseResult parse, string key, bool path, bool json)
    {
        var ws = StackWorkspace.Open(cli, parse);
        var value = StackFileEditor.Get(ws.Loaded.StackFilePath, ws.Project, key, path, ws.Crypter.Decrypt)
            ?? throw new CliException(ExitCodes.Error, $"configuration key '{key}' not found for stack '{ws.Stack}'");
        cli.Out.WriteLine(json ? new JsonObject { ["value"] = value }.ToJsonString(Indented) : value);
        return ExitCodes.Ok;
    }

    private static int Set(CliContext cli, ParseResult parse, string key, string? value, bool secret, bool path)
    {
        var ws = StackWorkspace.Open(cli, parse);
        value ??= cli.In.ReadToEnd().TrimEnd('\n', '\r');
        var stored = value;
        if (secret)
        {
            var salt = ws.Loaded.StackFile?.EncryptionSalt;
            ISecretCrypter crypter;
            if (salt is null)
            {
                // The first secret of a stack made without a passphrase: make its salt now.
                var created = PassphraseCrypter.CreateNew(PassphraseSource.Read(cli.Environment, ws.Stack));
                StackFileEditor.SetEncryptionSalt(ws.Loaded.StackFilePath, created.EncryptionSalt);
                crypter = created;
            }
            else
            {
                crypter = ws.Crypter;
            }
            stored = crypter.Encrypt(value);
        }
        StackFileEditor.Set(ws.Loaded.StackFilePath, ws.Project, key, stored, secret, path);
        return ExitCodes.Ok;
    }

    private static int Remove(CliContext cli, ParseResult parse, string key, bool path)
    {
        var ws = StackWorkspace.Open(cli, parse);
        if (!StackFileEditor.Remove(ws.Loaded.StackFilePath, ws.Project, key, path))
        {
            throw new CliException(ExitCodes.Error, $"configuration key '{key}' not found for stack '{ws.Stack}'");
        }
        return ExitCodes.Ok;
    }
}
