using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Command;

/// <summary>What to write to the engine log from a command's output (Pulumi.Command's <c>logging</c>).</summary>
public enum CommandLogging
{
    StdoutAndStderr,
    Stdout,
    Stderr,
    None,
}

/// <summary>
/// Inputs every command resource shares. <see cref="Create"/> runs once on creation; <see cref="Update"/> runs when
/// inputs change (or <see cref="Create"/> again when there is none); <see cref="Delete"/> runs on deletion. Any change
/// to <see cref="Triggers"/> replaces the resource: the new <c>create</c> runs, then the old <c>delete</c>
/// (pulumi/pulumi-command#855: triggers replace, whatever the docs say about <c>update</c>).
/// </summary>
public abstract record CommandArgs
{
    public Output<string>? Create { get; init; }
    public Output<string>? Update { get; init; }
    public Output<string>? Delete { get; init; }
    /// <summary>Values whose change replaces the resource (outputs of other resources are fine).</summary>
    public IReadOnlyList<object?> Triggers { get; init; } = [];
    public Output<string>? Stdin { get; init; }
    public IReadOnlyDictionary<string, Output<string>> Environment { get; init; } = new Dictionary<string, Output<string>>();
    /// <summary>Put the previous run's output in <c>PULUMI_COMMAND_STDOUT</c>/<c>PULUMI_COMMAND_STDERR</c> for update and delete.</summary>
    public bool AddPreviousOutputInEnv { get; init; } = true;
    public CommandLogging Logging { get; init; } = CommandLogging.StdoutAndStderr;

    internal JsonObject ToCommonInputs(StackContext context)
    {
        var o = new JsonObject();
        InputValues.Set(o, "create", context, Create);
        InputValues.Set(o, "update", context, Update);
        InputValues.Set(o, "delete", context, Delete);
        if (Triggers.Count > 0) o["triggers"] = new JsonArray(Triggers.Select(context.ToInput).ToArray());
        InputValues.Set(o, "stdin", context, Stdin);
        if (Environment.Count > 0)
        {
            var env = new JsonObject();
            foreach (var (key, value) in Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal)) env[key] = InputValues.From(context, value);
            o["environment"] = env;
        }
        o["addPreviousOutputInEnv"] = AddPreviousOutputInEnv;
        o["logging"] = LoggingName(Logging);
        return o;
    }

    // The provider reads these names (Pulumi.Command's `logging` values).
    private static string LoggingName(CommandLogging logging) => logging switch
    {
        CommandLogging.Stdout => "stdout",
        CommandLogging.Stderr => "stderr",
        CommandLogging.None => "none",
        _ => "stdoutAndStderr",
    };
}

/// <summary>A command run on a host over SSH (<c>command:remote:Command</c>).</summary>
public sealed record RemoteCommandArgs : CommandArgs
{
    public required Connection Connection { get; init; }
}

/// <summary>A command run on the machine running llmctl (<c>command:local:Command</c>).</summary>
public sealed record LocalCommandArgs : CommandArgs
{
    /// <summary>The program and leading arguments the command text is appended to; default <c>/bin/sh -c</c>.</summary>
    public IReadOnlyList<string>? Interpreter { get; init; }
    /// <summary>The working directory; it must exist when the command runs.</summary>
    public string? Dir { get; init; }
}

/// <summary>
/// A local file or directory uploaded over SFTP (<c>command:remote:CopyToRemote</c>). A directory's contents go
/// into <see cref="RemotePath"/>. The source's content hash is an input, so editing the source replaces the copy.
/// </summary>
public sealed record CopyToRemoteArgs
{
    public required Connection Connection { get; init; }
    public required string Source { get; init; }
    public required Output<string> RemotePath { get; init; }
    public IReadOnlyList<object?> Triggers { get; init; } = [];
}
