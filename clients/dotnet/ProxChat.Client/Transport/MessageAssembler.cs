namespace ProxChat.Client.Transport;

/// <summary>What the frame just appended made of the message it belongs to.</summary>
internal enum AssemblyOutcome
{
    /// <summary>More frames of this message are to come.</summary>
    Incomplete,

    /// <summary>A whole text message is in <see cref="MessageAssembler.Message"/>.</summary>
    Complete,

    /// <summary>The message grew past the limit; its bytes were dropped.</summary>
    TooLarge,

    /// <summary>A whole binary message, which the protocol does not use; its bytes were dropped.</summary>
    Binary,
}

/// <summary>
/// Joins the frames of one WebSocket message. The server sends each message as one frame, but a
/// proxy between it and the client may split them, and the receive buffer may be smaller than a frame.
/// </summary>
internal sealed class MessageAssembler
{
    private const int InitialCapacity = 16 * 1024;

    private readonly int _maxBytes;
    private byte[] _buffer = new byte[InitialCapacity];
    private int _length;
    private bool _tooLarge;
    private bool _ended;

    public MessageAssembler(int maxBytes) => _maxBytes = maxBytes;

    /// <summary>The message completed by the last <see cref="Append"/> that returned <see cref="AssemblyOutcome.Complete"/>; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Message => _buffer.AsMemory(0, _length);

    public AssemblyOutcome Append(ReadOnlySpan<byte> fragment, bool endOfMessage, bool binary)
    {
        if (_ended)
        {
            _length = 0;
            _tooLarge = false;
            _ended = false;
            if (_buffer.Length > InitialCapacity * 4)
            {
                // One big message should not pin its buffer for the life of the connection.
                _buffer = new byte[InitialCapacity];
            }
        }

        if (!binary && !_tooLarge)
        {
            if (fragment.Length > _maxBytes - _length)
            {
                _tooLarge = true;
            }
            else
            {
                EnsureCapacity(_length + fragment.Length);
                fragment.CopyTo(_buffer.AsSpan(_length));
                _length += fragment.Length;
            }
        }

        if (!endOfMessage)
        {
            return AssemblyOutcome.Incomplete;
        }

        _ended = true;
        return binary ? AssemblyOutcome.Binary : _tooLarge ? AssemblyOutcome.TooLarge : AssemblyOutcome.Complete;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        var grown = new byte[Math.Min(Math.Max(needed, _buffer.Length * 2), _maxBytes)];
        _buffer.AsSpan(0, _length).CopyTo(grown);
        _buffer = grown;
    }
}
