using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Llmctl.Testing;

/// <summary>A server that answers every request <c>200 text/html</c> (a wrong URL, an auth proxy's login page).</summary>
public sealed class HtmlLoginPageServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HtmlLoginPageServer()
    {
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>A kubeconfig whose only context, <paramref name="context"/>, points at this server.</summary>
    public string Kubeconfig(string context) => Kubeconfigs.For(Url, context);

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var _ = client;
                var stream = client.GetStream();
                var buffer = new byte[65536];
                var request = new StringBuilder();
                // Read the headers and whatever body came with them; answer once the headers are complete.
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer);
                    if (n == 0) return;
                    request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                const string html = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>";
                var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {html.Length}\r\nConnection: close\r\n\r\n{html}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
    }
}
