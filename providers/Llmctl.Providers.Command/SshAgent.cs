using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Llmctl.Engine.Providers;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace Llmctl.Providers.Command;

/// <summary>
/// A minimal SSH agent client (draft-miller-ssh-agent: REQUEST_IDENTITIES and SIGN_REQUEST over the agent's Unix
/// socket), so keys held by <c>ssh-agent</c> authenticate without their private half ever reaching llmctl. SSH.NET has no
/// agent support of its own; each identity becomes a <see cref="HostAlgorithm"/> whose signatures the agent makes.
/// </summary>
internal sealed class SshAgent(string socketPath) : IPrivateKeySource
{
    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;
    /// <summary>SSH_AGENT_RSA_SHA2_256: sign RSA keys with rsa-sha2-256, not the SHA-1 ssh-rsa that servers refuse.</summary>
    private const uint RsaSha2256 = 2;

    private IReadOnlyCollection<HostAlgorithm>? _algorithms;

    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms => _algorithms ??= LoadIdentities();

    private List<HostAlgorithm> LoadIdentities()
    {
        var reply = Call([RequestIdentities]);
        if (reply.Length == 0 || reply[0] != IdentitiesAnswer) throw new ProviderException($"the SSH agent at {socketPath} refused to list its keys");
        var reader = new Reader(reply, 1);
        var count = reader.UInt32();
        var algorithms = new List<HostAlgorithm>();
        for (var i = 0; i < count; i++)
        {
            var blob = reader.Bytes();
            _ = reader.Bytes(); // comment
            var keyType = Encoding.ASCII.GetString(new Reader(blob, 0).Bytes());
            if (keyType == "ssh-rsa") algorithms.Add(new AgentKey(this, "rsa-sha2-256", blob, RsaSha2256));
            algorithms.Add(new AgentKey(this, keyType, blob, 0));
        }
        if (algorithms.Count == 0) throw new ProviderException($"the SSH agent at {socketPath} holds no keys; add one with ssh-add");
        return algorithms;
    }

    private byte[] Sign(byte[] keyBlob, byte[] data, uint flags)
    {
        var request = new MemoryStream();
        request.WriteByte(SignRequest);
        WriteBytes(request, keyBlob);
        WriteBytes(request, data);
        WriteUInt32(request, flags);
        var reply = Call(request.ToArray());
        if (reply.Length == 0 || reply[0] == Failure || reply[0] != SignResponse)
        {
            throw new ProviderException($"the SSH agent at {socketPath} refused to sign (is the key still loaded, and confirmed if it asks?)");
        }
        // The reply is string(signature), where signature is string(algorithm) + string(blob): what SSH wants as is.
        return new Reader(reply, 1).Bytes();
    }

    private byte[] Call(byte[] message)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException ex)
        {
            throw new ProviderException($"cannot reach the SSH agent at {socketPath} ({ex.SocketErrorCode}); is ssh-agent running and SSH_AUTH_SOCK or connection.agentSocketPath right?", ex);
        }
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var frame = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)message.Length);
        message.CopyTo(frame, 4);
        stream.Write(frame);
        var header = new byte[4];
        stream.ReadExactly(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > 256 * 1024) throw new ProviderException($"the SSH agent at {socketPath} sent an oversized reply");
        var body = new byte[length];
        stream.ReadExactly(body);
        return body;
    }

    private static void WriteUInt32(Stream s, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        s.Write(b);
    }

    private static void WriteBytes(Stream s, byte[] value)
    {
        WriteUInt32(s, (uint)value.Length);
        s.Write(value);
    }

    private struct Reader(byte[] buffer, int offset)
    {
        private int _at = offset;

        public uint UInt32()
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(_at, 4));
            _at += 4;
            return value;
        }

        public byte[] Bytes()
        {
            var length = (int)UInt32();
            var value = buffer.AsSpan(_at, length).ToArray();
            _at += length;
            return value;
        }
    }

    /// <summary>One agent identity offered under one signature algorithm name.</summary>
    private sealed class AgentKey(SshAgent agent, string name, byte[] publicKeyBlob, uint flags) : HostAlgorithm(name)
    {
        public override byte[] Data => publicKeyBlob;

        public override byte[] Sign(byte[] data) => agent.Sign(publicKeyBlob, data, flags);

        public override bool VerifySignature(byte[] data, byte[] signature) =>
            throw new NotSupportedException("an agent key is only used to sign");
    }
}
