// One throwaway OpenSSH server on loopback serves every remote test (tests that need it call SshServer.Require()).
[assembly: AssemblyFixture(typeof(Llmctl.Testing.SshServer))]
