package io.tideflow.cache.near;

class CaffeineNearTierTest extends NearTierContractTest {
  @Override
  NearPolicy policy() {
    return NearPolicy.W_TINY_LFU;
  }
}
