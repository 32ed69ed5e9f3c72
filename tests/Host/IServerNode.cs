namespace ProxChat.Host.Tests;

/// <summary>A running server clients can connect to: in this process or a child process.</summary>
internal interface IServerNode
{
    Uri HttpAddress { get; }
}
