using System.CommandLine;
using System.Reflection;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl version</c>: the version, as <c>pulumi version</c> prints it (<c>v0.1.0</c>).</summary>
internal static class VersionCommand
{
    /// <summary>The package version without build metadata, with a leading <c>v</c>.</summary>
    public static string Current
    {
        get
        {
            var assembly = typeof(VersionCommand).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            return "v" + informational.Split('+')[0];
        }
    }

    public static Command Build(CliContext cli)
    {
        var command = new Command("version", "Print llmctl's version");
        command.SetAction(_ =>
        {
            cli.Out.WriteLine(Current);
            return ExitCodes.Ok;
        });
        return command;
    }
}
