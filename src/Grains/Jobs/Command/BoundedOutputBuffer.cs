using System.Globalization;
using System.Text;

namespace Totallator.Grains.Jobs.Command;

/// <summary>
/// Keeps at most a fixed number of bytes of a command's output: the first half and the most recent half. What falls between is
/// counted and replaced by one marker line, because the start (what ran) and the end (why it failed) are what an admin reads.
/// Thread-safe: stdout and stderr are appended from two readers, in the order their chunks arrive.
/// </summary>
internal sealed class BoundedOutputBuffer
{
    private readonly Lock _gate = new();
    private readonly byte[] _head;
    private readonly byte[] _tail;
    private int _headCount;
    private int _tailStart;
    private int _tailCount;
    private long _totalBytes;

    public BoundedOutputBuffer(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 2);
        _head = new byte[maxBytes / 2];
        _tail = new byte[maxBytes - _head.Length];
    }

    /// <summary>Every byte appended so far, kept or not.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_gate)
            {
                return _totalBytes;
            }
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            _totalBytes += data.Length;
            var toHead = Math.Min(data.Length, _head.Length - _headCount);
            data[..toHead].CopyTo(_head.AsSpan(_headCount));
            _headCount += toHead;
            data = data[toHead..];
            if (data.Length >= _tail.Length)
            {
                data[^_tail.Length..].CopyTo(_tail);
                _tailStart = 0;
                _tailCount = _tail.Length;
                return;
            }
            foreach (var b in data)
            {
                // A ring: once full, each new byte overwrites the oldest one.
                _tail[(_tailStart + _tailCount) % _tail.Length] = b;
                if (_tailCount < _tail.Length)
                {
                    _tailCount++;
                }
                else
                {
                    _tailStart = (_tailStart + 1) % _tail.Length;
                }
            }
        }
    }

    /// <summary>The kept output as UTF-8 text, with a marker line where bytes were dropped.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            var tail = new byte[_tailCount];
            for (var i = 0; i < _tailCount; i++)
            {
                tail[i] = _tail[(_tailStart + i) % _tail.Length];
            }
            var dropped = _totalBytes - _headCount - _tailCount;
            if (dropped == 0)
            {
                return Encoding.UTF8.GetString([.. _head.AsSpan(0, _headCount), .. tail]);
            }

            // Cut on character boundaries so the marker is not surrounded by replacement characters.
            var headUsed = CompleteCharactersLength(_head.AsSpan(0, _headCount));
            var headText = Encoding.UTF8.GetString(_head.AsSpan(0, headUsed));
            var tailSkip = 0;
            while (tailSkip < tail.Length && tailSkip < 3 && (tail[tailSkip] & 0xC0) == 0x80)
            {
                tailSkip++;
            }
            dropped += _headCount - headUsed + tailSkip;
            var text = new StringBuilder(headText.Length + tail.Length + 64).Append(headText);
            if (headText.Length > 0 && headText[^1] != '\n')
            {
                text.Append('\n');
            }
            text.Append(CultureInfo.InvariantCulture, $"[... {dropped} bytes of output dropped ...]\n");
            text.Append(Encoding.UTF8.GetString(tail.AsSpan(tailSkip)));
            return text.ToString();
        }
    }

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 sequence cut short at its end.</summary>
    private static int CompleteCharactersLength(ReadOnlySpan<byte> bytes)
    {
        for (var i = 1; i <= Math.Min(4, bytes.Length); i++)
        {
            var b = bytes[^i];
            if ((b & 0x80) == 0)
            {
                return bytes.Length;
            }
            if ((b & 0xC0) == 0xC0)
            {
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return needed > i ? bytes.Length - i : bytes.Length;
            }
        }
        return bytes.Length;
    }
}
