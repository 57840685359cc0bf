// Proves every generated message, at every version we advertise (every version its definition
// covers for data types): a populated value encodes, decodes equal and re-encodes byte for byte;
// fields a version lacks decode as their defaults; and every truncation of the encoding fails
// with an error instead of crashing or reading past the input.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "net/kafka/api_versions.h"
#include "net/kafka/messages/all_messages.h"
#include "net/kafka/messages/samples.h"
#include "net/kafka/reader.h"
#include "net/kafka/writer.h"

namespace ringlog::kafka {
namespace {

using samples::SampleFill;
using samples::SampleSource;

template <typename List>
struct ToGtestTypes;
template <typename... T>
struct ToGtestTypes<TypeList<T...>> {
  using type = ::testing::Types<T...>;
};
using AllMessages = ToGtestTypes<AllMessageTypes>::type;

struct MessageName {
  template <typename T>
  static std::string GetName(int) {
    return std::string(T::kName);
  }
};

// Advertised versions for API messages; the whole definition for data types.
template <typename M>
std::vector<int16_t> versions_under_test() {
  int16_t lowest = M::kLowestVersion;
  int16_t highest = M::kHighestVersion;
  if constexpr (requires { M::kApiKey; }) {
    const ApiVersionRange* range = find_api(M::kApiKey);
    EXPECT_NE(range, nullptr) << M::kName << " is generated but not in kImplementedApis";
    if (range != nullptr) {
      lowest = range->min_version;
      highest = range->max_version;
    }
  }
  std::vector<int16_t> versions;
  for (int16_t v = lowest; v <= highest; ++v) versions.push_back(v);
  return versions;
}

template <typename M>
M sample(int16_t version, SampleFill fill) {
  SampleSource source;
  M message;
  samples::fill_sample(message, version, fill, source);
  return message;
}

template <typename M>
std::vector<std::byte> encode(const M& message, int16_t version) {
  Writer writer;
  message.encode(writer, version);
  return std::move(writer).take();
}

template <typename M>
class MessageRoundTripTest : public ::testing::Test {};
TYPED_TEST_SUITE(MessageRoundTripTest, AllMessages, MessageName);

TYPED_TEST(MessageRoundTripTest, EveryVersionDecodesEqualAndReencodesByteIdentical) {
  using M = TypeParam;
  for (int16_t version : versions_under_test<M>()) {
    SCOPED_TRACE(::testing::Message() << M::kName << " v" << version);
    const M original = sample<M>(version, SampleFill::kPresentFields);
    const std::vector<std::byte> bytes = encode(original, version);

    Reader reader(bytes);
    auto decoded = M::decode(reader, version);
    ASSERT_TRUE(decoded) << to_string(decoded.error());
    EXPECT_EQ(reader.remaining(), 0U);
    EXPECT_TRUE(*decoded == original);
    EXPECT_TRUE(encode(*decoded, version) == bytes);
  }
}

TYPED_TEST(MessageRoundTripTest, FieldsAbsentFromAVersionDecodeAsDefaults) {
  using M = TypeParam;
  for (int16_t version : versions_under_test<M>()) {
    SCOPED_TRACE(::testing::Message() << M::kName << " v" << version);
    const std::vector<std::byte> bytes =
        encode(sample<M>(version, SampleFill::kAllFields), version);

    Reader reader(bytes);
    auto decoded = M::decode(reader, version);
    ASSERT_TRUE(decoded) << to_string(decoded.error());
    EXPECT_TRUE(*decoded == sample<M>(version, SampleFill::kPresentFields));
  }
}

TYPED_TEST(MessageRoundTripTest, DefaultValueRoundTripsAtEveryVersion) {
  using M = TypeParam;
  for (int16_t version : versions_under_test<M>()) {
    SCOPED_TRACE(::testing::Message() << M::kName << " v" << version);
    const std::vector<std::byte> bytes = encode(M{}, version);
    Reader reader(bytes);
    auto decoded = M::decode(reader, version);
    ASSERT_TRUE(decoded) << to_string(decoded.error());
    EXPECT_TRUE(encode(*decoded, version) == bytes);
  }
}

TYPED_TEST(MessageRoundTripTest, EveryTruncationIsAnErrorWithoutOverRead) {
  using M = TypeParam;
  for (int16_t version : versions_under_test<M>()) {
    SCOPED_TRACE(::testing::Message() << M::kName << " v" << version);
    const std::vector<std::byte> bytes =
        encode(sample<M>(version, SampleFill::kPresentFields), version);
    for (size_t length = 0; length < bytes.size(); ++length) {
      // An exact-size heap copy: under ASan any read past `length` is reported.
      const std::vector<std::byte> prefix(bytes.begin(),
                                          bytes.begin() + static_cast<ptrdiff_t>(length));
      Reader reader(prefix);
      auto decoded = M::decode(reader, version);
      ASSERT_FALSE(decoded) << "decoded from the first " << length << " of " << bytes.size()
                            << " bytes";
    }
  }
}

TYPED_TEST(MessageRoundTripTest, VersionsOutsideTheDefinitionAreRejected) {
  using M = TypeParam;
  const std::vector<std::byte> bytes(64, std::byte{0});
  for (int16_t version : {static_cast<int16_t>(M::kLowestVersion - 1),
                          static_cast<int16_t>(M::kHighestVersion + 1)}) {
    Reader reader(bytes);
    auto decoded = M::decode(reader, version);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), DecodeError::kUnsupportedVersion);
  }
}

}  // namespace
}  // namespace ringlog::kafka
