using System.CommandLine;
using System.Globalization;
using Llmctl.Fit.Gguf;
using Llmctl.Fit.Lock;
using Llmctl.Infra.Cli;
using Spectre.Console;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl lock &lt;files or dirs&gt; [--source org/repo@revision]</c> and <c>llmctl lock --url &lt;https URL&gt;</c>: writes
/// <c>models.lock.yaml</c> entries — file name, size, sha256 (streamed; a progress bar on a terminal), download source and
/// the GGUF facts the VRAM estimator reads. A URL is read through HTTP range requests: the header and tensor infos only.
/// </summary>
internal static class LockCommand
{
    /// <summary>Files at least this large get a progress bar while hashed (on a terminal).</summary>
    private const long ProgressThreshold = 256L * 1024 * 1024;

    public static Command Build(CliContext cli)
    {
        var paths = new Argument<string[]>("files") { Description = "GGUF files, or folders of them (a split model's shards are one model)", Arity = ArgumentArity.ZeroOrMore };
        var source = new Option<string?>("--source") { Description = "Where the files come from: <org>/<repo>@<revision> on Hugging Face (the revision should be a commit)" };
        var urls = new Option<string[]>("--url") { Description = "Lock a remote .gguf from its header alone (HTTP range requests); repeatable", AllowMultipleArgumentsPerToken = false };
        var lockFile = new Option<string?>("--lock-file") { Description = $"The lock file to write (default: {ModelLockFile.DefaultFileName} in the project directory)" };
        var command = new Command("lock", "Record model files in models.lock.yaml: size, sha256, source and GGUF facts") { paths, source, urls, lockFile };
        command.SetAction(async (parse, ct) =>
        {
            var dir = StackWorkspace.Directory(cli, parse);
            var files = (parse.GetValue(paths) ?? []).Select(p => Path.GetFullPath(Path.Combine(dir, p))).ToList();
            var remote = parse.GetValue(urls) ?? [];
            if (files.Count == 0 && remote.Length == 0)
            {
                throw new CliException(ExitCodes.ConfigOrUsage, "give GGUF files or folders to lock, or --url <https URL of a .gguf>");
            }
            var hubSource = parse.GetValue(source);
            var target = Path.GetFullPath(Path.Combine(dir, parse.GetValue(lockFile) ?? ModelLockFile.DefaultFileName));
            var existingText = File.Exists(target) ? await File.ReadAllTextAsync(target, ct) : null;
            var existing = existingText is null ? null : ModelLockFile.Parse(existingText, target);

            var entries = new List<ModelLock>();
            try
            {
                if (files.Count > 0)
                {
                    foreach (var model in ModelFiles.Group(files))
                    {
                        if (await LockFilesAsync(cli, model, hubSource, existing, ct) is { } entry) entries.Add(entry);
                    }
                }
                foreach (var url in remote)
                {
                    if (await LockUrlAsync(cli, url, hubSource, existing, ct) is { } entry) entries.Add(entry);
                }
            }
            catch (GgufFormatException ex)
            {
                throw new CliException(ExitCodes.Error, $"not a readable GGUF file: {ex.Message}");
            }
            catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or DirectoryNotFoundException)
            {
                throw new CliException(ExitCodes.ConfigOrUsage, ex.Message);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.Error, ex.Message);
            }
            if (entries.Count == 0) throw new CliException(ExitCodes.ConfigOrUsage, "nothing to lock: none of the files given is a model");

            var text = ModelLockWriter.Upsert(existingText, target, entries);
            ModelLockFile.Parse(text, target); // what is written must read back
            var temp = target + ".tmp";
            await File.WriteAllTextAsync(temp, text, ct);
            File.Move(temp, target, overwrite: true);
            var updated = entries.Count(e => existing?.Models.Any(m => m.File == e.File) == true);
            cli.Out.WriteLine($"Wrote {Path.GetFileName(target)}: {entries.Count - updated} added, {updated} updated");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<ModelLock?> LockFilesAsync(CliContext cli, ModelFileSet model, string? hubSource, ModelLockFile? existing, CancellationToken ct)
    {
        ModelLock entry;
        try
        {
            var big = model.Paths.Any(p => new FileInfo(p).Length >= ProgressThreshold);
            if (cli.OutIsTerminal && big)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(cli.Out), Interactive = InteractionSupport.Yes });
                ModelLock? result = null;
                await console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new TransferSpeedColumn(), new RemainingTimeColumn())
                    .StartAsync(async progress =>
                    {
                        result = await ModelLocker.LockFilesAsync(model, hubSource, existing, (path, size) =>
                        {
                            var task = progress.AddTask($"sha256 {Markup.Escape(Path.GetFileName(path))}", maxValue: size);
                            return new Progress<long>(done => task.Value = done);
                        }, ct);
                    });
                entry = result!;
            }
            else
            {
                entry = await ModelLocker.LockFilesAsync(model, hubSource, existing, null, ct);
            }
        }
        catch (NotAModelException ex)
        {
            cli.Err.WriteLine($"skipped: {ex.Message}");
            return null;
        }
        Report(cli, entry);
        return entry;
    }

    private static async Task<ModelLock?> LockUrlAsync(CliContext cli, string url, string? hubSource, ModelLockFile? existing, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        {
            throw new ArgumentException($"--url '{url}' is not an https URL of a .gguf file");
        }
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true }) { Timeout = TimeSpan.FromMinutes(2) };
        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            var (entry, received, notes) = await ModelLocker.LockUrlAsync(http, noRedirects, uri, hubSource, existing, ct);
            foreach (var note in notes) cli.Err.WriteLine($"warning: {note}; the entry is written without one (unlocked)");
            cli.Out.WriteLine($"read {Bytes(received)} of {Bytes(entry.TotalSizeBytes ?? 0)} through range requests (header and tensor infos only)");
            Report(cli, entry);
            return entry;
        }
        catch (NotAModelException ex)
        {
            cli.Err.WriteLine($"skipped: {ex.Message}");
            return null;
        }
    }

    private static void Report(CliContext cli, ModelLock entry)
    {
        var facts = entry.Facts!;
        var sha = entry.Sha256 is { } s ? "sha256 " + s[..12] + "…" : "sha256 not known";
        var shards = entry.Parts.Count > 0 ? $", {entry.Parts.Count + 1} shards" : "";
        cli.Out.WriteLine($"locked {entry.Ref}: {entry.File} ({Bytes(entry.TotalSizeBytes ?? 0)}{shards}, {sha}) — {facts.Architecture}, "
            + $"{facts.BlockCount} blocks, {Bytes(facts.Tensors.Total)} of tensors");
    }

    private static string Bytes(long bytes) => bytes >= 1L << 30 ? (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB"
        : bytes >= 1L << 20 ? (bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB"
        : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
}
