// unit_connectors: the zlib helper (connectors/framework/inflate) and the gzip
// input stream: data fed a byte at a time, several gzip members, deflate with and
// without its zlib wrapper, a sink that stops the decoding, corrupt and cut data.
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <sstream>
#include <string>

#include "connectors/framework/inflate.hpp"
#include "connectors/framework/inflate_stream.hpp"

using leadhub::Status;
using leadhub::connectors::Compression;
using leadhub::connectors::Inflater;
using leadhub::connectors::MaybeCompressedInput;

namespace {

// What zlib's deflate makes of `text` with these window bits (31 gzip, 15 zlib, -15 raw).
std::string compress(const std::string& text, int window_bits) {
  z_stream z{};
  BOOST_REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  BOOST_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct Decoded {
  std::string text;
  std::string error;  // empty: decoded to the end
};

Decoded inflate(Compression format, const std::string& data, std::size_t piece) {
  Inflater inflater(format);
  Decoded d;
  auto sink = [&d](std::string_view bytes) {
    d.text.append(bytes);
    return leadhub::ok_status();
  };
  for (std::size_t at = 0; at < data.size(); at += piece) {
    if (auto st = inflater.feed(std::string_view(data).substr(at, piece), sink); !st) {
      d.error = st.error().message;
      return d;
    }
  }
  if (auto st = inflater.finish(); !st) d.error = st.error().message;
  return d;
}

std::string sample() {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"line\": " + std::to_string(i) + ", \"name\": \"M\xC3\xBCller\"}\n";
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(inflate_decodes_every_format_in_any_pieces) {
  const auto text = sample();
  for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
    for (const auto& [format, bits] : {std::pair{Compression::gzip, 31}, std::pair{Compression::deflate, 15},
                                       std::pair{Compression::deflate, -15}}) {
      const auto d = inflate(format, compress(text, bits), piece);
      BOOST_TEST(d.error == "");
      BOOST_TEST((d.text == text), "window bits " << bits << ", pieces of " << piece);
    }
  }
}

BOOST_AUTO_TEST_CASE(inflate_reads_concatenated_gzip_members) {
  const auto d = inflate(Compression::gzip, compress("first\n", 31) + compress("second\n", 31), 3);
  BOOST_TEST(d.error == "");
  BOOST_TEST(d.text == "first\nsecond\n");
}

BOOST_AUTO_TEST_CASE(inflate_names_corrupt_and_cut_data) {
  auto gz = compress(sample(), 31);
  BOOST_TEST(inflate(Compression::gzip, "plain text, not gzip", 64).error ==
             "gzip data is corrupt: incorrect header check");
  BOOST_TEST(inflate(Compression::gzip, gz.substr(0, gz.size() / 2), 64).error ==
             "gzip data ends before the compressed stream does (cut short?)");
  BOOST_TEST(inflate(Compression::deflate, "x", 64).error ==
             "deflate data ends before the compressed stream does (cut short?)");
  const auto zlib = compress("abc", 15);
  BOOST_TEST(inflate(Compression::deflate, zlib + "junk", 64).error ==
             "deflate data is corrupt: bytes after the end of the deflate stream");
  gz[gz.size() - 6] ^= 0x55;  // the CRC-32 in the trailer
  BOOST_TEST(inflate(Compression::gzip, gz, 64).error == "gzip data is corrupt: incorrect data check");
}

BOOST_AUTO_TEST_CASE(a_sink_error_stops_the_decoding) {
  const std::string zeros(std::size_t{10} * 1024 * 1024, '\0');
  const auto gz = compress(zeros, 31);
  Inflater inflater(Compression::gzip);
  std::size_t seen = 0;
  const Status st = inflater.feed(gz, [&seen](std::string_view bytes) -> Status {
    seen += bytes.size();
    if (seen > 100000) return leadhub::Error::make(leadhub::ErrorCode::invalid, "too large");
    return leadhub::ok_status();
  });
  BOOST_TEST(!st.ok());
  BOOST_TEST(st.error().message == "too large");
  BOOST_TEST(seen < std::size_t{200000});  // stopped at the first run past the limit, not at 10 MB
}

BOOST_AUTO_TEST_CASE(gzip_input_is_recognised_by_its_bytes) {
  const auto text = sample();
  std::istringstream gz(compress(text, 31));
  MaybeCompressedInput decoded(gz);
  BOOST_TEST(decoded.compressed());
  std::string line, all;
  while (std::getline(decoded.stream(), line)) all += line + "\n";
  BOOST_TEST((all == text));
  BOOST_TEST(!decoded.error().has_value());

  for (const std::string plain : {"plain\n", "\x1f",
                                  "\x1f"
                                  "abc",
                                  ""}) {
    std::istringstream in(plain);
    MaybeCompressedInput as_is(in);
    BOOST_TEST(!as_is.compressed());
    std::string read((std::istreambuf_iterator<char>(as_is.stream())), std::istreambuf_iterator<char>());
    BOOST_TEST(read == plain);
  }

  const auto packed = compress(text, 31);
  std::istringstream cut(packed.substr(0, packed.size() - 20));
  MaybeCompressedInput broken(cut);
  std::string rest((std::istreambuf_iterator<char>(broken.stream())), std::istreambuf_iterator<char>());
  BOOST_TEST(rest.size() < text.size());
  BOOST_REQUIRE(broken.error().has_value());
  BOOST_TEST(broken.error()->message == "gzip data ends before the compressed stream does (cut short?)");
}
