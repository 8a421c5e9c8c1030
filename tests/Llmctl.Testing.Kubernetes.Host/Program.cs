using System.Runtime.InteropServices;
using Llmctl.Testing.Kubernetes;

// llmctl-fake-apiserver: serves the fake Kubernetes API on 127.0.0.1 until SIGTERM/SIGINT (or, with
// --exit-on-stdin-eof, until its standard input closes, so it never outlives the test that started it).
//   --port N                 listen on N (default: a free port)
//   --kubeconfig PATH        write a kubeconfig pointing at the server there
//   --context NAME           the kubeconfig's context name (default: fake)
//   --url-file PATH          write the server's URL there once it is listening (written last, atomically)
//   --ready-after MS         objects with readiness rules become ready MS milliseconds after each change (default 50)
//   --node NAME              a Node that exists, labelled kubernetes.io/hostname=NAME (repeatable)
//   --seed PATH              a JSON array of objects stored as if someone else created them (CRDs, Namespaces a
//                            chart would have made), in order
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: llmctl-fake-apiserver [--port N] [--kubeconfig PATH] [--context NAME] [--url-file PATH] [--ready-after MS] [--node NAME]... [--seed PATH]... [--exit-on-stdin-eof]");
    return 2;
}

await using var server = await FakeKubernetesServer.StartAsync(options.Port);
server.AutoReadyAll(TimeSpan.FromMilliseconds(options.ReadyAfterMs));
foreach (var node in options.Nodes) server.AddNode(node, new Dictionary<string, string> { ["kubernetes.io/hostname"] = node });
foreach (var seed in options.Seeds)
{
    foreach (var obj in System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(seed))!.AsArray())
    {
        server.Seed(obj!.AsObject());
    }
}
if (options.Kubeconfig is { } kubeconfig) WriteAtomically(kubeconfig, server.KubeconfigFor(options.Context));
if (options.UrlFile is { } urlFile) WriteAtomically(urlFile, server.Url);
Console.Out.WriteLine(server.Url);
Console.Out.Flush();

var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.TrySetResult();
});
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
{
    c.Cancel = true;
    stop.TrySetResult();
});
if (options.ExitOnStdinEof)
{
    _ = Task.Run(async () =>
    {
        await Console.In.ReadToEndAsync().ConfigureAwait(false);
        stop.TrySetResult();
    });
}
await stop.Task;
return 0;

static void WriteAtomically(string path, string text)
{
    var temp = path + ".tmp";
    File.WriteAllText(temp, text);
    File.Move(temp, path, overwrite: true);
}

internal sealed record Options(int Port, string? Kubeconfig, string Context, string? UrlFile, int ReadyAfterMs, IReadOnlyList<string> Nodes, IReadOnlyList<string> Seeds, bool ExitOnStdinEof)
{
    public static Options? Parse(string[] args)
    {
        var o = new Options(0, null, "fake", null, 50, [], [], false);
        var nodes = new List<string>();
        var seeds = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--port" when int.TryParse(Next(), out var port):
                    o = o with { Port = port };
                    break;
                case "--kubeconfig" when Next() is { } path:
                    o = o with { Kubeconfig = path };
                    break;
                case "--context" when Next() is { } context:
                    o = o with { Context = context };
                    break;
                case "--url-file" when Next() is { } path:
                    o = o with { UrlFile = path };
                    break;
                case "--ready-after" when int.TryParse(Next(), out var ms):
                    o = o with { ReadyAfterMs = ms };
                    break;
                case "--node" when Next() is { } node:
                    nodes.Add(node);
                    break;
                case "--seed" when Next() is { } path:
                    seeds.Add(path);
                    break;
                case "--exit-on-stdin-eof":
                    o = o with { ExitOnStdinEof = true };
                    break;
                default:
                    return null;
            }
        }
        return o with { Nodes = nodes, Seeds = seeds };
    }
}
