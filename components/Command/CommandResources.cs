using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Command;

/// <summary>What the command resources share; their type tokens are <see cref="CommandTypes"/> in the engine.</summary>
internal static class CommandResourceOptions
{
    /// <summary>
    /// Adds the replace-on-change paths Pulumi.Command's schema declares, keeping whatever the caller asked for.
    /// </summary>
    internal static CustomResourceOptions WithReplaceOn(CustomResourceOptions? options, params string[] paths)
    {
        options ??= new CustomResourceOptions();
        return options with { ReplaceOnChanges = [.. options.ReplaceOnChanges.Union(paths, StringComparer.Ordinal)] };
    }

    internal static StackContext Context(CustomResourceOptions? options) =>
        options?.Parent?.Context ?? StackContext.Current
        ?? throw new InvalidOperationException("Resources can only be created inside a stack program (StackContext.Run).");
}

/// <summary>A command run over SSH; outputs <c>stdout</c> and <c>stderr</c> (secret when a secret fed the command).</summary>
public sealed class RemoteCommand : CustomResource
{
    public RemoteCommand(string name, RemoteCommandArgs args, CustomResourceOptions? options = null)
        : base(CommandTypes.RemoteCommand, name, BuildInputs(args, CommandResourceOptions.Context(options)), CommandResourceOptions.WithReplaceOn(options, "triggers"))
    {
    }

    public Output<string> Stdout => GetOutput<string>("stdout");
    public Output<string> Stderr => GetOutput<string>("stderr");

    private static JsonObject BuildInputs(RemoteCommandArgs args, StackContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = args.ToCommonInputs(context);
        o["connection"] = args.Connection.ToInput(context);
        return o;
    }
}

/// <summary>A command run on the machine running llmctl; outputs <c>stdout</c> and <c>stderr</c>.</summary>
public sealed class LocalCommand : CustomResource
{
    public LocalCommand(string name, LocalCommandArgs args, CustomResourceOptions? options = null)
        : base(CommandTypes.LocalCommand, name, BuildInputs(args, CommandResourceOptions.Context(options)), CommandResourceOptions.WithReplaceOn(options, "triggers"))
    {
    }

    public Output<string> Stdout => GetOutput<string>("stdout");
    public Output<string> Stderr => GetOutput<string>("stderr");

    private static JsonObject BuildInputs(LocalCommandArgs args, StackContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = args.ToCommonInputs(context);
        if (args.Interpreter is { Count: > 0 } interpreter) o["interpreter"] = new JsonArray(interpreter.Select(s => (JsonNode?)s).ToArray());
        if (args.Dir is not null) o["dir"] = args.Dir;
        return o;
    }
}

/// <summary>A local file or directory copied to a host over SFTP; a change to the source's content replaces it.</summary>
public sealed class CopyToRemote : CustomResource
{
    public CopyToRemote(string name, CopyToRemoteArgs args, CustomResourceOptions? options = null)
        : base(CommandTypes.CopyToRemote, name, BuildInputs(args, CommandResourceOptions.Context(options)), CommandResourceOptions.WithReplaceOn(options, "triggers", "sourceHash"))
    {
    }

    private static JsonObject BuildInputs(CopyToRemoteArgs args, StackContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrWhiteSpace(args.Source);
        var o = new JsonObject
        {
            ["connection"] = args.Connection.ToInput(context),
            ["source"] = args.Source,
            ["sourceHash"] = SourceHash.Of(args.Source),
        };
        InputValues.Set(o, "remotePath", context, args.RemotePath);
        if (args.Triggers.Count > 0) o["triggers"] = new JsonArray(args.Triggers.Select(context.ToInput).ToArray());
        return o;
    }
}
